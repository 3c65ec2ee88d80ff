import DryadCore
import Testing

@testable import DryadServer

/// The OpenAPI document's list of problem codes names every code an answer can carry, so a
/// client generated from it (or Schemathesis) accepts every error the server sends.
@Suite struct ProblemCodeTests {
    /// One error of every `DryadError` case.
    static let samples: [DryadError] = [
        .notFound("x"), .permissionDenied("x"), .conflict("x"), .stale("x"), .schemaTooNew(found: 2, supported: 1), .invalidInput("x"),
        .busy("x"), .toolFailed("x"), .limited("x", retryAfterSeconds: 1), .quotaExceeded("x"), .storage("x"),
        .advised(.notFound("x"), Advice(.text("try"))),
    ]

    /// The name of `error`'s case. The switch has no `default`, so a new case stops this file
    /// compiling until it is named here and given a sample above.
    static func caseName(_ error: DryadError) -> String {
        switch error {
        case .notFound: "notFound"
        case .permissionDenied: "permissionDenied"
        case .conflict: "conflict"
        case .stale: "stale"
        case .schemaTooNew: "schemaTooNew"
        case .invalidInput: "invalidInput"
        case .busy: "busy"
        case .toolFailed: "toolFailed"
        case .limited: "limited"
        case .quotaExceeded: "quotaExceeded"
        case .storage: "storage"
        case .advised: "advised"
        }
    }

    @Test func theSamplesCoverEveryCase() {
        #expect(Set(Self.samples.map(Self.caseName)).count == 12)
    }

    @Test func everyCoreErrorsCodeIsDocumented() {
        for error in Self.samples {
            let problem = Problem(error)
            #expect(OpenAPIDocument.problemCodes.contains(problem.code), "\(problem.code) is missing from the OpenAPI problem codes")
        }
    }
}
