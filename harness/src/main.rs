//! The `iam-harness` command line.
fn main() {
    println!("iam-harness");
}
