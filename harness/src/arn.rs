//! ARNs (placeholder: being written).
