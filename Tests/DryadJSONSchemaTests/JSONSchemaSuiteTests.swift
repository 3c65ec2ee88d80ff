import DryadJSON
import DryadTestSupport
import Foundation
import Testing

@testable import DryadJSONSchema

/// Runs the official JSON Schema Test Suite (draft 2020-12) against `JSONSchema`.
///
/// The suite is read at test time from `../shared/json-schema-test-suite` beside the package
/// root, or from the folder named by `JSON_SCHEMA_TEST_SUITE`; without it the tests are skipped.
@Suite struct JSONSchemaSuiteTests {
    /// Files not run: remote references need a server, `dynamicRef.json` needs remote
    /// documents too, and `vocabulary.json` needs custom meta-schemas.
    static let skippedFiles: Set<String> = ["refRemote.json", "dynamicRef.json", "vocabulary.json"]

    /// The suite's root folder.
    static let suiteFolder: URL = {
        if let path = ProcessInfo.processInfo.environment["JSON_SCHEMA_TEST_SUITE"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return packageRoot.appendingPathComponent("../shared/json-schema-test-suite").standardizedFileURL
    }()

    static var testsFolder: URL { suiteFolder.appendingPathComponent("tests/draft2020-12") }

    static var suiteIsPresent: Bool {
        let present = FileManager.default.fileExists(atPath: testsFolder.path)
        if !present {
            print("JSON Schema suite: not found at \(testsFolder.path) (set JSON_SCHEMA_TEST_SUITE); skipping")
        }
        return present
    }

    /// One test case of the suite.
    struct Case {
        let file: String
        let group: String
        let test: String
        let schema: JSONValue
        let data: JSONValue
        let valid: Bool
    }

    /// The cases of one suite file, grouped by schema.
    static func groups(in file: URL) throws -> [(description: String, schema: JSONValue, cases: [Case])] {
        let document = try JSONValue.parse(Data(contentsOf: file), maxDepth: 10_000)
        var groups: [(String, JSONValue, [Case])] = []
        for group in document.arrayValue ?? [] {
            let description = group.objectValue?["description"]?.stringValue ?? "?"
            let schema = group.objectValue?["schema"] ?? .bool(true)
            var cases: [Case] = []
            for test in group.objectValue?["tests"]?.arrayValue ?? [] {
                let fields = test.objectValue ?? [:]
                cases.append(
                    Case(
                        file: file.lastPathComponent, group: description,
                        test: fields["description"]?.stringValue ?? "?", schema: schema,
                        data: fields["data"] ?? .null, valid: fields["valid"] == .bool(true)))
            }
            groups.append((description, schema, cases))
        }
        return groups
    }

    /// The suite's remote documents (`remotes/…`) under the `http://localhost:1234/` URIs tests use.
    static func remotes() -> [String: JSONValue] {
        let folder = suiteFolder.appendingPathComponent("remotes")
        var result: [String: JSONValue] = [:]
        let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)
        while let url = enumerator?.nextObject() as? URL {
            guard url.pathExtension == "json", let data = try? Data(contentsOf: url),
                let value = try? JSONValue.parse(data, maxDepth: 10_000)
            else { continue }
            let relative = url.standardizedFileURL.path.dropFirst(folder.standardizedFileURL.path.count + 1)
            result["http://localhost:1234/" + relative] = value
        }
        return result
    }

    /// Compiles each group's schema and checks every case; returns (passed, failures).
    static func run(
        _ groups: [(description: String, schema: JSONValue, cases: [Case])],
        remotes: [String: JSONValue] = [:]
    ) -> (passed: Int, failures: [String]) {
        var passed = 0
        var failures: [String] = []
        for group in groups {
            let schema: JSONSchema
            do {
                schema = try JSONSchema(group.schema, remotes: remotes)
            } catch {
                for test in group.cases {
                    failures.append("\(test.file) | \(test.group) | \(test.test): schema refused: \(error)")
                }
                continue
            }
            for test in group.cases {
                guard let violations = try? schema.validate(test.data), let valid = try? schema.isValid(test.data) else {
                    failures.append("\(test.file) | \(test.group) | \(test.test): ran out of the work budget")
                    continue
                }
                if valid == test.valid, violations.isEmpty == valid {
                    passed += 1
                } else {
                    let found = violations.map(\.description).joined(separator: "; ")
                    failures.append(
                        "\(test.file) | \(test.group) | \(test.test): expected \(test.valid ? "valid" : "invalid"), "
                            + "isValid says \(valid), validate says [\(found)]")
                }
            }
        }
        return (passed, failures)
    }

    @Test(.enabled(if: suiteIsPresent, "the JSON Schema test suite is not on this machine"))
    func draft2020_12() throws {
        let files = try FileManager.default.contentsOfDirectory(at: Self.testsFolder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        #expect(!files.isEmpty)
        var passed = 0
        var failed = 0
        var skipped = 0
        for file in files {
            let groups = try Self.groups(in: file)
            if Self.skippedFiles.contains(file.lastPathComponent) {
                skipped += groups.reduce(0) { $0 + $1.cases.count }
                continue
            }
            let result = Self.run(groups)
            passed += result.passed
            failed += result.failures.count
            for failure in result.failures {
                Issue.record(Comment(rawValue: failure))
            }
        }
        print("JSON Schema suite: \(passed) passed, \(failed) failed, \(skipped) skipped")
    }

    /// `dynamicRef.json`, with the suite's remote documents served from its `remotes` folder
    /// (kept out of the main count, which runs without remote documents).
    @Test(.enabled(if: suiteIsPresent, "the JSON Schema test suite is not on this machine"))
    func dynamicRefWithRemotes() throws {
        let groups = try Self.groups(in: Self.testsFolder.appendingPathComponent("dynamicRef.json"))
        let result = Self.run(groups, remotes: Self.remotes())
        #expect(result.passed > 0)
        for failure in result.failures { Issue.record(Comment(rawValue: failure)) }
        print("JSON Schema suite, dynamicRef.json with remotes: \(result.passed) passed, \(result.failures.count) failed")
    }

    /// CI sets `DRYAD_REQUIRE_SCHEMA_SUITE`, so a missing suite fails there instead of skipping quietly.
    @Test func theSuiteIsPresentWhereItIsRequired() {
        if ProcessInfo.processInfo.environment["DRYAD_REQUIRE_SCHEMA_SUITE"] != nil {
            #expect(Self.suiteIsPresent, "the JSON Schema test suite is required here but not found at \(Self.testsFolder.path)")
        }
    }
}
