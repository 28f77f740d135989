import Foundation

/// The result of one scenario in a `canary check` suite.
public struct SuiteCase: Sendable {
    public enum Outcome: String, Sendable { case passed, failed, error }
    public struct ExpectationOutcome: Sendable {
        public var text: String
        public var passed: Bool
        /// The observed value in the expectation's unit, as `canary run` prints it.
        public var observed: String
        public init(text: String, passed: Bool, observed: String) { self.text = text; self.passed = passed; self.observed = observed }
    }

    public var file: String
    public var scenario: String
    public var outcome: Outcome
    public var expectations: [ExpectationOutcome]
    public var seconds: Double
    public var seed: String?
    public var digest: String?
    public var database: String?
    public var simulated: String?
    /// For `.error`: what went wrong (exit status and the run's stderr).
    public var errorMessage: String?

    public init(file: String, scenario: String, outcome: Outcome, expectations: [ExpectationOutcome], seconds: Double,
                seed: String? = nil, digest: String? = nil, database: String? = nil, simulated: String? = nil,
                errorMessage: String? = nil) {
        self.file = file; self.scenario = scenario; self.outcome = outcome; self.expectations = expectations
        self.seconds = seconds; self.seed = seed; self.digest = digest; self.database = database
        self.simulated = simulated; self.errorMessage = errorMessage
    }

    public var failedExpectations: [ExpectationOutcome] { expectations.filter { !$0.passed } }
}

/// JUnit XML as GitHub Actions (test reporters), GitLab (`artifacts:reports:junit`) and
/// Jenkins (`junit` step) read it: one `<testcase>` per scenario, each expectation a
/// `<property>` and a line of `<system-out>`, failures carrying the observed values.
/// Written directly: the format is four elements and their attributes, which string escaping
/// covers (an XML library such as XMLCoder would add a dependency for that); the tests parse
/// the output with Foundation's XMLParser.
public enum JUnit {
    public static func xml(suite: String, cases: [SuiteCase], seconds: Double) -> String {
        let failures = cases.filter { $0.outcome == .failed }.count
        let errors = cases.filter { $0.outcome == .error }.count
        var x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        x += "<testsuites name=\"canary check\" tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"\(errors)\" time=\"\(time(seconds))\">\n"
        x += "  <testsuite name=\"\(escape(suite))\" tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"\(errors)\" skipped=\"0\" time=\"\(time(seconds))\">\n"
        for c in cases {
            let dir = (c.file as NSString).deletingLastPathComponent
            let classname = dir.isEmpty ? "canary" : dir.replacingOccurrences(of: "/", with: ".")
            x += "    <testcase classname=\"\(escape(classname))\" name=\"\(escape(c.scenario))\" file=\"\(escape(c.file))\" time=\"\(time(c.seconds))\">\n"
            var props: [(String, String)] = []
            if let s = c.seed { props.append(("seed", s)) }
            if let d = c.digest { props.append(("digest", d)) }
            if let d = c.database { props.append(("database", d)) }
            for (i, e) in c.expectations.enumerated() {
                props.append(("expectation.\(i + 1)", "\(e.passed ? "pass" : "FAIL"): \(e.text) (observed \(e.observed))"))
            }
            if !props.isEmpty {
                x += "      <properties>\n"
                for (k, v) in props { x += "        <property name=\"\(escape(k))\" value=\"\(escape(v))\"/>\n" }
                x += "      </properties>\n"
            }
            switch c.outcome {
            case .passed: break
            case .failed:
                let failed = c.failedExpectations
                let message = "\(failed.count) of \(c.expectations.count) expectations failed: "
                    + failed.map { "\($0.text) (observed \($0.observed))" }.joined(separator: "; ")
                let body = failed.map { "\($0.text)\n  observed: \($0.observed)" }.joined(separator: "\n")
                x += "      <failure type=\"ExpectationFailed\" message=\"\(escape(message))\">\(escape(body))</failure>\n"
            case .error:
                let message = c.errorMessage ?? "the run did not finish"
                let first = message.split(separator: "\n").first.map(String.init) ?? message
                x += "      <error type=\"RunError\" message=\"\(escape(first))\">\(escape(message))</error>\n"
            }
            var out = "\(c.file): \(c.outcome.rawValue)"
            if let s = c.simulated { out += ", simulated \(s)" }
            out += "\n"
            for e in c.expectations { out += "  \(e.passed ? "pass" : "FAIL")  \(e.text)  observed \(e.observed)\n" }
            x += "      <system-out>\(escape(out))</system-out>\n"
            x += "    </testcase>\n"
        }
        x += "  </testsuite>\n</testsuites>\n"
        return x
    }

    static func time(_ s: Double) -> String { String(format: "%.3f", s) }

    /// XML text and attribute escaping; characters XML 1.0 forbids (C0 controls other than tab,
    /// newline and carriage return) are dropped.
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(ch)
            default:
                if ch.value < 0x20 || ch.value == 0xFFFE || ch.value == 0xFFFF { continue }
                out.unicodeScalars.append(ch)
            }
        }
        return out
    }
}
