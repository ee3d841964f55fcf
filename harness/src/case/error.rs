//! The errors of the case layer: every problem of a case file with its kind, file and JSON path
//! ([`CaseError`], collected in [`CaseErrors`]), and why a written request cannot become a
//! [`crate::request::Request`] ([`RequestError`]).

/// What kind of problem a [`CaseError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CaseErrorKind {
    /// The file or folder cannot be read (or does not exist).
    Unreadable,
    /// The text is not JSON.
    Syntax,
    /// The JSON is not a case or a scenario: a missing or unknown field, a value of the wrong
    /// type.
    Shape,
    /// The case id is empty.
    EmptyId,
    /// The case has no tests.
    NoTests,
    /// Two tests of a case (or two expectations of a scenario) have the same name.
    DuplicateName,
    /// A request's context holds a value no condition key can have, or a global key a value of
    /// the wrong type.
    BadContext,
    /// A request's principal, action or resource is malformed.
    BadRequest,
    /// A scenario refers to an account, principal or resource it does not define, or uses a
    /// principal that is not a role as a resource; or a case's `aws_managed` names a policy slot
    /// the case does not fill.
    BadReference,
    /// A scenario principal is not exactly one kind of caller, or lacks what its kind needs.
    BadPrincipal,
}

/// One problem of a case or case file: its kind, the file, where in it, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {}{message}", if path.is_empty() { String::new() } else { format!("{path}: ") })]
pub struct CaseError {
    /// What kind of problem it is.
    pub kind: CaseErrorKind,
    /// The file (or `<memory>`).
    pub file: String,
    /// Where in the file: a JSON path such as `tests[1].request.context.aws:TagKeys`, or
    /// `line 3 column 7` for a syntax error; empty for the whole file.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl CaseError {
    /// A problem of `kind` in `file` at `path`.
    pub fn new(
        kind: CaseErrorKind,
        file: &str,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> CaseError {
        CaseError {
            kind,
            file: file.to_owned(),
            path: path.into(),
            message: message.into(),
        }
    }

    /// The problem serde met reading `file`: a syntax error, or JSON of the wrong shape, placed
    /// by line and column (serde stops at the first).
    pub fn from_json(file: &str, error: &serde_json::Error) -> CaseError {
        let kind = match error.classify() {
            serde_json::error::Category::Io => CaseErrorKind::Unreadable,
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                CaseErrorKind::Syntax
            }
            serde_json::error::Category::Data => CaseErrorKind::Shape,
        };
        let place = format!("line {} column {}", error.line(), error.column());
        // serde's message ends with the place, which is the error's path here: said once.
        let message = error.to_string();
        let message = message
            .strip_suffix(&format!(" at {place}"))
            .unwrap_or(&message)
            .to_owned();
        CaseError::new(kind, file, place, message)
    }
}

/// Every problem found in one case file (never empty), in the order of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseErrors {
    /// The first problem (kept apart so the list cannot be empty).
    first: CaseError,
    /// The others.
    rest: Vec<CaseError>,
}

impl CaseErrors {
    /// The problems of `problems`, or `None` when there are none.
    pub fn collect(problems: Vec<CaseError>) -> Option<CaseErrors> {
        let mut problems = problems.into_iter();
        let first = problems.next()?;
        Some(CaseErrors {
            first,
            rest: problems.collect(),
        })
    }

    /// `Ok(())` when `problems` is empty, else every problem.
    pub fn check(problems: Vec<CaseError>) -> Result<(), CaseErrors> {
        CaseErrors::collect(problems).map_or(Ok(()), Err)
    }

    /// The first problem.
    pub fn first(&self) -> &CaseError {
        &self.first
    }

    /// Every problem, in order.
    pub fn iter(&self) -> impl Iterator<Item = &CaseError> {
        std::iter::once(&self.first).chain(&self.rest)
    }

    /// The file the (first) problem is in.
    pub fn file(&self) -> &str {
        &self.first.file
    }
}

impl From<CaseError> for CaseErrors {
    fn from(first: CaseError) -> CaseErrors {
        CaseErrors {
            first,
            rest: Vec::new(),
        }
    }
}

impl IntoIterator for CaseErrors {
    type Item = CaseError;
    type IntoIter = std::iter::Chain<std::iter::Once<CaseError>, std::vec::IntoIter<CaseError>>;

    fn into_iter(self) -> Self::IntoIter {
        std::iter::once(self.first).chain(self.rest)
    }
}

/// One problem a line, each as `file: path: message`.
impl std::fmt::Display for CaseErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.first)?;
        for problem in &self.rest {
            write!(f, "\n{problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CaseErrors {}

/// Why a context value of a written request cannot be a condition key's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ContextProblem {
    /// An object (a condition key holds a scalar or a list of scalars).
    #[error("a context value is a string, number, boolean, array or null")]
    Object,
    /// A list holding something other than strings, numbers and booleans.
    #[error("a multivalued key holds strings, numbers or booleans only")]
    NestedInList,
}

/// What is wrong with one field of a written request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestProblem {
    /// A context value no condition key can have.
    #[error(transparent)]
    Context(#[from] ContextProblem),
    /// A principal that is not an ARN of a known kind, a service principal or `*`.
    #[error("`{0}` is not a principal: expected an ARN of a root user, IAM user, role, role session or federated-user session, a service principal (`SERVICE.amazonaws.com`) or `*`")]
    Principal(String),
    /// An action without a service prefix or name.
    #[error("`{0}` is not an action: expected `service:ActionName`")]
    Action(String),
    /// A resource that is neither `*` nor an ARN.
    #[error("`{0}` is not a resource: expected `*` or an ARN")]
    Resource(String),
    /// A value of a global condition key that is not of the key's documented type.
    #[error("`{value}` is not {expected}, the documented type of this key")]
    ContextType {
        /// The offending value.
        value: String,
        /// The type, as the message names it.
        expected: &'static str,
    },
}

/// A written request that cannot become a [`Request`](crate::request::Request): the field and
/// what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("request.{field}: {problem}")]
pub struct RequestError {
    /// The field inside `request`: `principal`, `action`, `resource` or `context.KEY`.
    pub field: String,
    /// What is wrong with it.
    pub problem: RequestProblem,
}

impl RequestError {
    /// The JSON path of the bad field inside its test: `request.principal`,
    /// `request.context.KEY`…
    pub fn path(&self) -> String {
        format!("request.{}", self.field)
    }

    /// The kind of case error this problem is.
    pub fn kind(&self) -> CaseErrorKind {
        match self.problem {
            RequestProblem::Context(_) | RequestProblem::ContextType { .. } => {
                CaseErrorKind::BadContext
            }
            _ => CaseErrorKind::BadRequest,
        }
    }
}

/// A policy given as a JSON string whose content is not a string JSON can hold.
#[derive(Debug, thiserror::Error)]
#[error("policy string is not valid JSON text: {0}")]
pub struct PolicyTextError(#[source] pub serde_json::Error);
