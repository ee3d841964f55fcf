//! The engine protocol end to end: `iam-harness serve` as a `cmd:` engine must agree with the
//! reference evaluator in-process, and a misbehaving engine (tests/fake_engine.py) must cost the
//! case it misbehaves on and nothing else — never the run, never a hang.

// Inside a `#[cfg(test)]` module so that the helpers, too, count as test code for clippy.
#[cfg(test)]
mod protocol {
    use std::io::{BufRead, BufReader, Write};
    use std::path::{Path, PathBuf};
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    use iam_harness::case::Case;
    use iam_harness::engine::process::{
        ProcessEngine, ProcessErrorKind, ProcessOptions, STDERR_TAIL_BYTES,
    };
    use iam_harness::engine::protocol::Answer;
    use iam_harness::engine::reference::ReferenceEvaluator;
    use iam_harness::{Decision, Evaluator, Outcome};
    use rstest::rstest;
    use serde_json::{json, Value};

    const BIN: &str = env!("CARGO_BIN_EXE_iam-harness");
    const FAKE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fake_engine.py");
    const SCHEMAS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../schema/protocol");

    fn workspace_root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
    }

    fn quick() -> ProcessOptions {
        ProcessOptions {
            request_timeout: Duration::from_secs(1),
            start_timeout: Duration::from_secs(5),
            max_restarts: 5,
        }
    }

    fn fake(args: &[&str], options: ProcessOptions) -> ProcessEngine {
        let mut command = vec!["python3".to_owned(), FAKE.to_owned()];
        command.extend(args.iter().map(|a| (*a).to_owned()));
        ProcessEngine::spawn(command, options).unwrap()
    }

    /// A case with `tests` tests that all expect `allow`.
    fn allow_case(id: &str, tests: usize) -> Case {
        let tests: Vec<Value> = (0..tests)
            .map(|i| {
                json!({
                    "name": format!("t{i}"),
                    "request": {
                        "principal": "arn:aws:iam::111122223333:user/alice",
                        "action": "s3:GetObject",
                        "resource": format!("arn:aws:s3:::bucket/key{i}"),
                    },
                    "expect": "allow",
                })
            })
            .collect();
        let case = json!({
            "id": id,
            "policies": { "identity": [{ "Version": "2012-10-17", "Statement": [
                { "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*" } ] }] },
            "tests": tests,
        });
        Case::from_json(&case.to_string(), "<memory>").unwrap()
    }

    fn five_cases() -> Vec<Case> {
        ["c1", "c2", "c3", "c4", "c5"]
            .iter()
            .map(|id| allow_case(id, 2))
            .collect()
    }

    fn all_allow(outcomes: &[Outcome]) -> bool {
        !outcomes.is_empty()
            && outcomes
                .iter()
                .all(|o| o.decision() == Some(Decision::Allow))
    }

    fn errors(outcomes: &[Outcome]) -> Vec<&str> {
        outcomes
            .iter()
            .map(|o| match o {
                Outcome::Errored(message) => message.as_str(),
                other => panic!("expected an error, got {other:?}"),
            })
            .collect()
    }

    /// Cases of several shapes, decided by the reference evaluator whatever its answers are.
    fn varied_cases() -> Vec<Case> {
        let texts = [
            r#"{"id":"e2e/allow","policies":{"identity":[{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::b/*"}]}]},
                "tests":[{"name":"get","request":{"principal":"arn:aws:iam::111122223333:user/a","action":"s3:GetObject","resource":"arn:aws:s3:::b/k"},"expect":"allow"},
                         {"name":"put","request":{"principal":"arn:aws:iam::111122223333:user/a","action":"s3:PutObject","resource":"arn:aws:s3:::b/k"},"expect":"implicit_deny"}]}"#,
            r#"{"id":"e2e/deny","policies":{"identity":[{"Version":"2012-10-17","Statement":[{"Sid":"All","Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"NoDelete","Effect":"Deny","Action":"s3:Delete*","Resource":"*"}]}]},
                "tests":[{"name":"delete","request":{"principal":"arn:aws:iam::111122223333:role/r","action":"s3:DeleteObject","resource":"arn:aws:s3:::b/k"},"expect":"explicit_deny"}]}"#,
            r#"{"id":"e2e/invalid","policies":{"identity":["{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Maybe\",\"Action\":\"*\",\"Resource\":\"*\"}]}"]},
                "tests":[{"name":"any","request":{"principal":"arn:aws:iam::111122223333:user/a","action":"s3:GetObject","resource":"*"},"expect":"invalid"}]}"#,
            r#"{"id":"e2e/condition","policies":{"identity":[{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"}}}]}]},
                "tests":[{"name":"blue","request":{"principal":"arn:aws:iam::111122223333:user/a","action":"s3:GetObject","resource":"*","context":{"aws:PrincipalTag/team":"blue"}},"expect":"allow"},
                         {"name":"red","request":{"principal":"arn:aws:iam::111122223333:user/a","action":"s3:GetObject","resource":"*","context":{"aws:PrincipalTag/team":"red","aws:TagKeys":["a",1,true]}},"expect":"implicit_deny"}]}"#,
            r#"{"id":"e2e/cross-account","policies":{"resource":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]},
                "scp":[[{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}]]},
                "tests":[{"name":"other account","request":{"principal":"arn:aws:iam::444455556666:user/bob","action":"s3:GetObject","resource":"arn:aws:s3:::b/k","resource_account":"111122223333"},"expect":"implicit_deny"}]}"#,
        ];
        let mut cases: Vec<Case> = texts
            .iter()
            .map(|t| Case::from_json(t, "<memory>").unwrap())
            .collect();
        // Policy text is kept byte for byte, line breaks included: the wire must still carry one
        // message per line.
        let multi_line = "{\"id\":\"e2e/multi-line\",\"policies\":{\"identity\":[{\r\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}\n  ]\n}]},\"tests\":[{\"name\":\"get\",\"request\":{\"principal\":\"arn:aws:iam::111122223333:user/a\",\"action\":\"s3:GetObject\",\"resource\":\"*\"},\"expect\":\"allow\"}]}";
        let case = Case::from_json(multi_line, "<memory>").unwrap();
        assert!(case.policies.identity.as_ref().unwrap()[0]
            .get()
            .contains('\n'));
        cases.push(case);
        cases
    }

    #[test]
    fn serve_as_a_cmd_engine_agrees_with_the_reference_in_process() {
        let engine =
            ProcessEngine::spawn(vec![BIN.to_owned(), "serve".to_owned()], quick()).unwrap();
        let reference = ReferenceEvaluator::new();
        assert_eq!(engine.info(), reference.info());
        for case in varied_cases() {
            let remote = engine.evaluate(&case);
            assert_eq!(remote.len(), case.tests.len(), "{}", case.id);
            assert_eq!(remote, reference.evaluate(&case), "{}", case.id);
        }
        assert_eq!(engine.restarts(), 0);
    }

    #[test]
    fn cmd_spec_splits_quotes_and_reaches_serve() {
        let spec = format!("cmd:'{BIN}' \"serve\"");
        let engine = iam_harness::engine::from_spec(&spec).unwrap();
        assert_eq!(engine.info().name, "reference");
        let case = allow_case("spec/quoted", 1);
        assert_eq!(
            engine.evaluate(&case),
            ReferenceEvaluator::new().evaluate(&case)
        );
        let generic =
            iam_harness::engine::from_spec(&format!("cmd:{BIN} serve --generic")).unwrap();
        assert_eq!(generic.info().name, "reference-generic");
        assert!(iam_harness::engine::from_spec("cmd:").is_err());
        assert!(iam_harness::engine::from_spec("cmd:python3 'x").is_err());
    }

    #[rstest]
    #[case::hang("hang-on-case", "timed out: no answer within 1.0 s", true)]
    #[case::crash("crash-on-case", "exited without answering (exit status: 7)", true)]
    #[case::garbage("garbage-on-case", "malformed answer (not JSON", true)]
    #[case::wrong_seq("wrong-seq-on-case", "wrong seq: expected 3, got 1003", true)]
    #[case::wrong_count(
        "wrong-count-on-case",
        "wrong number of results: got 3 for 2 tests",
        false
    )]
    fn a_fault_costs_its_case_only(
        #[case] mode: &str,
        #[case] fault: &str,
        // Stream faults restart the engine (and wait for its last stderr); a well-framed wrong
        // answer keeps it, and its stderr tail is a snapshot that may lag.
        #[case] restarts: bool,
    ) {
        let started = Instant::now();
        let engine = fake(&[mode, "c3"], quick());
        assert_eq!(engine.info().name, "fake");
        assert_eq!(engine.info().language, "Python");
        for case in five_cases() {
            let outcomes = engine.evaluate(&case);
            if case.id == "c3" {
                let messages = errors(&outcomes);
                assert_eq!(messages.len(), 2);
                for message in messages {
                    assert!(message.contains(fault), "{message}");
                    let stderr =
                        format!("fake engine: {} on case c3", mode.replace("-on-case", ""));
                    assert!(!restarts || message.contains(&stderr), "{message}");
                }
            } else {
                assert!(all_allow(&outcomes), "{}: {outcomes:?}", case.id);
            }
        }
        assert_eq!(engine.restarts(), u32::from(restarts));
        // One timeout at most, not one per case.
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn stderr_is_drained_and_its_tail_is_bounded() {
        // ~240 KB of stderr per case: far more than a pipe buffer holds.
        let engine = fake(&["stderr-noise"], quick());
        for case in five_cases() {
            assert!(all_allow(&engine.evaluate(&case)), "{}", case.id);
        }
        let engine = fake(&["stderr-noise", "c2"], quick());
        let outcomes: Vec<_> = five_cases().iter().map(|c| engine.evaluate(c)).collect();
        let message = errors(&outcomes[1])[0];
        assert!(message.contains("exit status: 5"), "{message}");
        assert!(
            message.ends_with("fake engine: exiting after noise on case c2"),
            "{message}"
        );
        assert!(message.contains("noise noise"), "{message}");
        assert!(message.len() < STDERR_TAIL_BYTES + 200, "{}", message.len());
        for (i, outcome) in outcomes.iter().enumerate() {
            assert_eq!(all_allow(outcome), i != 1, "case {i}");
        }
    }

    #[test]
    fn an_engine_that_exits_before_ready_is_refused_with_its_stderr() {
        let started = Instant::now();
        let command = vec!["python3".into(), FAKE.into(), "exit-immediately".into()];
        let error = ProcessEngine::spawn(command, quick()).unwrap_err();
        assert!(
            matches!(&error.kind, ProcessErrorKind::Exited { status } if status.contains("3")),
            "{error}"
        );
        assert_eq!(error.stderr_tail, "fake engine: exiting before ready");
        assert!(started.elapsed() < Duration::from_secs(3));
    }

    #[test]
    fn an_engine_that_never_gets_ready_times_out() {
        let started = Instant::now();
        // Long enough for `python3` (often a pyenv shim: a bash script) to start and write to
        // stderr on a busy machine.
        let options = ProcessOptions {
            start_timeout: Duration::from_millis(1500),
            ..quick()
        };
        let command = vec![
            "python3".into(),
            "-c".into(),
            "import sys, time; print('warming up', file=sys.stderr, flush=True); time.sleep(30)"
                .into(),
        ];
        let error = ProcessEngine::spawn(command, options).unwrap_err();
        assert!(
            matches!(error.kind, ProcessErrorKind::Timeout { .. }),
            "{error}"
        );
        assert_eq!(error.stderr_tail, "warming up");
        assert!(started.elapsed() < Duration::from_secs(3));
    }

    #[test]
    fn restarts_are_capped_and_never_hang() {
        let started = Instant::now();
        let options = ProcessOptions {
            max_restarts: 2,
            ..quick()
        };
        let engine = fake(&["crash-on-case", "*"], options);
        let outcomes: Vec<_> = five_cases().iter().map(|c| engine.evaluate(c)).collect();
        for (i, outcome) in outcomes.iter().enumerate() {
            for message in errors(outcome) {
                if i < 3 {
                    assert!(
                        message.contains("exited without answering"),
                        "{i}: {message}"
                    );
                } else {
                    assert!(
                        message.starts_with("engine gave up after 2 restarts"),
                        "{i}: {message}"
                    );
                }
            }
        }
        assert_eq!(engine.restarts(), 2);
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn a_hang_on_every_case_costs_one_timeout_per_case_up_to_the_cap() {
        let started = Instant::now();
        let options = ProcessOptions {
            request_timeout: Duration::from_millis(300),
            max_restarts: 1,
            ..quick()
        };
        let engine = fake(&["hang-on-case", "*"], options);
        let outcomes: Vec<_> = five_cases().iter().map(|c| engine.evaluate(c)).collect();
        assert!(errors(&outcomes[0])[0].contains("timed out"));
        assert!(errors(&outcomes[1])[0].contains("timed out"));
        for outcome in &outcomes[2..] {
            assert!(errors(outcome)[0].contains("gave up after 1 restarts"));
        }
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );
    }

    /// An engine (Python) that answers every request, and then answers it again, late: right
    /// after reading the next request, before that one's answer.
    const ANSWERS_TWICE: &str = r#"
import json, sys
def send(text):
    sys.stdout.write(text + "\n")
    sys.stdout.flush()
previous = None
while True:
    line = sys.stdin.readline()
    if not line:
        break
    message = json.loads(line)
    if message["cmd"] == "start":
        send(json.dumps({"ready": True, "engine": {"name": "twice", "version": "0"}, "features": ["*"]}))
    elif message["cmd"] == "stop":
        break
    else:
        if previous is not None:
            send(previous)
        tests = len(message["case"]["tests"])
        previous = json.dumps({"seq": message["seq"], "results": [{"decision": "allow"}] * tests})
        send(previous)
"#;

    #[test]
    fn an_answer_to_an_earlier_request_is_dropped_not_taken_for_the_next() {
        let command = vec!["python3".into(), "-c".into(), ANSWERS_TWICE.into()];
        let engine = ProcessEngine::spawn(command, quick()).unwrap();
        for case in five_cases() {
            let outcomes = engine.evaluate(&case);
            assert!(all_allow(&outcomes), "{}: {outcomes:?}", case.id);
        }
        assert_eq!(engine.restarts(), 0);
        // Each request after the first had the previous one's answer in front of its own.
        assert_eq!(engine.stale_answers(), 4);
    }

    /// True once process `pid` is gone (or a zombie: dead, not yet reaped by its new parent).
    #[cfg(target_os = "linux")]
    fn is_dead(pid: &str) -> bool {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => true,
            Ok(stat) => stat.rsplit_once(')').is_some_and(|(_, rest)| {
                matches!(rest.trim_start().chars().next(), Some('Z' | 'X'))
            }),
        }
    }

    /// Waits up to two seconds for every pid listed in `file` to be dead; the ones still alive.
    #[cfg(target_os = "linux")]
    fn survivors(file: &Path) -> Vec<String> {
        let pids: Vec<String> = std::fs::read_to_string(file)
            .unwrap()
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        assert!(!pids.is_empty());
        let until = Instant::now() + Duration::from_secs(2);
        loop {
            let alive: Vec<String> = pids.iter().filter(|p| !is_dead(p)).cloned().collect();
            if alive.is_empty() || Instant::now() > until {
                return alive;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// A wrapper script (`sh`) around the fake engine that leaves a process of its own holding
    /// the engine's stdout and stderr, and lists that process's pid in `$1`.
    #[cfg(target_os = "linux")]
    #[rstest]
    // The engine `exec`s, leaving `sleep` behind with the output open when it crashes: the exit
    // must be seen at once, not after the request timeout.
    #[case::helper_outlives_a_crash(
        "sleep 60 & echo $! >> \"$1\"; exec python3 \"$2\" crash-on-case c3",
        "exited without answering (exit status: 7)"
    )]
    // The engine runs under the shell: killing the shell alone would leave it hanging on.
    #[case::engine_under_a_shell_hangs(
        "exec 3<&0; python3 \"$2\" hang-on-case c3 <&3 3<&- & echo $! >> \"$1\"; wait",
        "timed out: no answer within 1.0 s"
    )]
    fn a_wrapper_scripts_children_die_with_it(#[case] script: &str, #[case] fault: &str) {
        let dir = tempfile::tempdir().unwrap();
        let pids = dir.path().join("pids");
        let command = vec![
            "sh".to_owned(),
            "-c".to_owned(),
            script.to_owned(),
            "sh".to_owned(),
            pids.display().to_string(),
            FAKE.to_owned(),
        ];
        let started = Instant::now();
        let engine = ProcessEngine::spawn(command, quick()).unwrap();
        for case in five_cases() {
            let outcomes = engine.evaluate(&case);
            if case.id == "c3" {
                for message in errors(&outcomes) {
                    assert!(message.contains(fault), "{message}");
                }
                // The faulty engine's group is gone before the next case starts another.
                let alive = survivors(&pids);
                assert!(alive.is_empty(), "still running after the fault: {alive:?}");
            } else {
                assert!(all_allow(&outcomes), "{}: {outcomes:?}", case.id);
            }
        }
        assert_eq!(engine.restarts(), 1);
        drop(engine);
        let alive = survivors(&pids);
        assert!(alive.is_empty(), "still running after the end: {alive:?}");
        // At most the one request timeout of the hang, not one per exit.
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
    }

    /// An engine (Python) whose answer to request 2 is a line of `LIMIT + 1` bytes (no JSON),
    /// written a MiB at a time.
    const LONG_ANSWER: &str = r#"
import json, sys
while True:
    line = sys.stdin.readline()
    if not line:
        break
    message = json.loads(line)
    if message["cmd"] == "start":
        answer = {"ready": True, "engine": {"name": "long", "version": "0"}, "features": ["*"]}
    elif message["cmd"] == "stop":
        break
    elif message["seq"] == 2:
        left = LIMIT + 1
        while left > 0:
            sys.stdout.write("x" * min(left, 1 << 20))
            left -= 1 << 20
        answer = {}
    else:
        answer = {"seq": message["seq"], "results": [{"decision": "allow"}] * len(message["case"]["tests"])}
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()
"#;

    #[test]
    fn an_answer_line_over_the_limit_errors_its_case_only() {
        let limit = iam_harness::engine::protocol::MAX_LINE_BYTES;
        let script = LONG_ANSWER.replace("LIMIT", &limit.to_string());
        let command = vec!["python3".into(), "-c".into(), script];
        let engine = ProcessEngine::spawn(command, quick()).unwrap();
        let outcomes: Vec<_> = five_cases().iter().map(|c| engine.evaluate(c)).collect();
        for message in errors(&outcomes[1]) {
            assert!(
                message.contains(&format!("a line longer than {limit} bytes")),
                "{message}"
            );
        }
        for (i, outcome) in outcomes.iter().enumerate() {
            assert_eq!(all_allow(outcome), i != 1, "case {i}");
        }
        assert_eq!(engine.restarts(), 1);
    }

    /// Writes a case file whose policy spans lines, as hand-written case files do.
    fn write_case(dir: &Path, file: &str, id: &str) {
        let mut case = serde_json::to_value(allow_case(id, 2)).unwrap();
        case["policies"]["identity"] = json!([{}]);
        let text = serde_json::to_string_pretty(&case).unwrap().replace(
            "{}",
            "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": []\n}",
        );
        std::fs::write(dir.join(file), text).unwrap();
    }

    #[test]
    fn cli_run_streams_every_result_through_a_crashing_engine() {
        let dir = tempfile::tempdir().unwrap();
        write_case(dir.path(), "a.json", "a");
        write_case(dir.path(), "b.json", "X");
        write_case(dir.path(), "c.json", "c");
        let output = Command::new(BIN)
            .current_dir(workspace_root())
            .args([
                "run",
                "--json",
                "--timeout",
                "2",
                "--engine",
                "cmd:python3 harness/tests/fake_engine.py crash-on-case X",
            ])
            .arg(dir.path())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{output:?}");
        let lines: Vec<Value> = String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 1 + 6 + 1, "{lines:?}");
        assert_eq!(lines[0]["type"], "header");
        assert_eq!(lines[0]["engines"][0]["name"], "fake");
        let results = &lines[1..7];
        let cases: Vec<&str> = results
            .iter()
            .map(|r| r["case"].as_str().unwrap())
            .collect();
        assert_eq!(cases, ["a", "a", "X", "X", "c", "c"]);
        for result in results {
            assert_eq!(result["type"], "result");
            if result["case"] == "X" {
                assert_eq!(result["status"], "error");
                let message = result["message"].as_str().unwrap();
                assert!(message.contains("exited without answering"), "{message}");
                assert!(message.contains("crash on case X"), "{message}");
            } else {
                assert_eq!(result["status"], "pass", "{result}");
            }
        }
        let summary = &lines[7];
        assert_eq!(summary["type"], "summary");
        assert_eq!(summary["passed"], 4);
        assert_eq!(summary["errored"], 2);
    }

    #[rstest]
    #[case::empty("cmd:", "empty")]
    #[case::missing("cmd:/nonexistent/engine", "cannot start `/nonexistent/engine`")]
    #[case::unclosed("cmd:python3 'x", "unclosed")]
    #[case::refuses(
        "cmd:python3 harness/tests/fake_engine.py exit-immediately",
        "exiting before ready"
    )]
    fn cli_run_cannot_start_a_bad_engine(#[case] spec: &str, #[case] fragment: &str) {
        let dir = tempfile::tempdir().unwrap();
        write_case(dir.path(), "a.json", "a");
        let output = Command::new(BIN)
            .current_dir(workspace_root())
            .args(["run", "--engine", spec])
            .arg(dir.path())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(fragment), "{stderr}");
    }

    #[test]
    fn cli_run_rejects_a_bad_timeout() {
        let output = Command::new(BIN)
            .args(["run", "--timeout=-1", "--engine", "reference", "."])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{output:?}");
    }

    /// Runs `iam-harness serve` on `input` and returns its answers.
    fn serve_transcript(input: &str) -> Vec<Value> {
        let mut child = Command::new(BIN)
            .arg("serve")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let answers = BufReader::new(child.stdout.take().unwrap())
            .lines()
            .map(|l| serde_json::from_str(&l.unwrap()).unwrap())
            .collect();
        assert!(child.wait().unwrap().success());
        answers
    }

    #[test]
    fn serve_answers_a_malformed_line_and_goes_on() {
        let case = allow_case("serve/after-garbage", 2);
        let evaluate = json!({"cmd": "evaluate", "seq": 8, "case": case}).to_string();
        let input = format!(
            "{{\"cmd\":\"start\",\"protocol\":1}}\nnot json at all\n{{\"cmd\":\"evaluate\",\"seq\":7,\"case\":{{\"id\"\n{evaluate}\n{{\"cmd\":\"stop\"}}\n{evaluate}\n"
        );
        let answers = serve_transcript(&input);
        assert_eq!(answers.len(), 4, "{answers:?}");
        assert_eq!(answers[0]["ready"], true);
        assert_eq!(answers[1]["seq"], Value::Null);
        assert!(answers[1]["errored"]["message"]
            .as_str()
            .unwrap()
            .starts_with("malformed request"));
        assert_eq!(answers[2]["seq"], 7);
        assert!(answers[2]["errored"]["message"].is_string());
        assert_eq!(answers[3]["seq"], 8);
        let results = answers[3]["results"].as_array().unwrap();
        assert_eq!(results.len(), 2);
        for result in results {
            assert!(result["decision"].is_string(), "{result}");
            assert!(result["explanation"]["reason"].is_string(), "{result}");
        }
    }

    #[test]
    fn serve_refuses_a_request_line_over_the_limit_and_goes_on() {
        let limit = iam_harness::engine::protocol::MAX_LINE_BYTES;
        let mut huge = serde_json::to_value(allow_case("serve/huge", 1)).unwrap();
        huge["description"] = Value::String("x".repeat(limit));
        let huge = json!({"cmd": "evaluate", "seq": 5, "case": huge});
        let next = json!({"cmd": "evaluate", "seq": 6, "case": allow_case("serve/next", 1)});
        let answers = serve_transcript(&format!("{huge}\n{next}\n"));
        assert_eq!(answers.len(), 2, "{answers:?}");
        assert_eq!(answers[0]["seq"], 5);
        assert_eq!(
            answers[0]["errored"]["message"],
            format!("request too long: a line longer than {limit} bytes")
        );
        assert_eq!(answers[1]["seq"], 6);
        assert_eq!(answers[1]["results"][0]["decision"], "allow");
    }

    /// Validates real messages against schema/protocol/ with Python's `jsonschema` (no JSON Schema
    /// crate is a dependency: the one that does draft 2020-12 is heavy). Skipped when the module is
    /// not installed.
    #[test]
    fn real_messages_match_the_schemas() {
        let has_jsonschema = Command::new("python3")
            .args(["-c", "import jsonschema"])
            .output()
            .is_ok_and(|o| o.status.success());
        if !has_jsonschema {
            eprintln!("skipped: python3 with the jsonschema module is not available");
            return;
        }
        let case = varied_cases().remove(0);
        let evaluate = json!({"cmd": "evaluate", "seq": 1, "case": case});
        let whole_case = json!({"cmd":"evaluate","seq":2,"case":{"id":"x"}});
        let answers = serve_transcript(&format!(
            "{{\"cmd\":\"start\",\"protocol\":1}}\n{evaluate}\n{whole_case}\ngarbage\n"
        ));
        let outcomes = [
            Outcome::Skipped("no".into()),
            Outcome::Errored("boom".into()),
            Outcome::Decided {
                decision: Decision::Invalid,
                explanation: None,
            },
        ];
        let checks = json!([
            ["start", {"cmd":"start","protocol":1}, true],
            ["start", {"cmd":"start","protocol":2}, false],
            ["ready", answers[0], true],
            ["ready", {"ready":true,"engine":{"name":"x"},"features":[]}, false],
            ["evaluate", evaluate, true],
            ["evaluate", {"cmd":"evaluate","seq":-1,"case":case}, false],
            ["response", answers[1], true],
            ["response", answers[2], true],
            ["response", answers[3], true],
            ["response", Answer::results(3, outcomes.to_vec()), true],
            ["response", {"seq":3,"skipped":"no RCPs"}, true],
            ["response", {"seq":3,"results":[{"decision":"maybe"}]}, false],
            ["response", {"seq":3,"results":[{"decision":"allow","skipped":"x"}]}, false],
            ["response", {"seq":null,"results":[]}, false],
            ["stop", {"cmd":"stop"}, true],
        ]);
        let script = r#"
import json, sys, pathlib, jsonschema
root = pathlib.Path(sys.argv[1])
bad = 0
for name, instance, valid in json.load(sys.stdin):
    schema = json.loads((root / (name + ".schema.json")).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    ok = jsonschema.Draft202012Validator(schema).is_valid(instance)
    if ok != valid:
        bad += 1
        print("schema", name, "expected valid" if valid else "expected invalid", json.dumps(instance))
sys.exit(1 if bad else 0)

"#;
        let mut child = Command::new("python3")
            .args(["-c", script, SCHEMAS])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(checks.to_string().as_bytes())
            .unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
