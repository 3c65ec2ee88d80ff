import Testing

@testable import DryadCore

/// The audit actions and how each is classified.
struct AuditActionTests {
    @Test func everyPointReadIsARead() {
        // A point read runs on the caller's thread without a write transaction: were it not a
        // read, its change would bypass the writer.
        for action in AuditAction.allCases where action.isPointRead {
            #expect(action.isRead, "\(action.rawValue) is a point read but not a read")
        }
    }

    @Test func actionsAreNamedDomainDotVerbOrOneWord() {
        for action in AuditAction.allCases {
            let parts = action.rawValue.split(separator: ".", omittingEmptySubsequences: false)
            #expect((1...3).contains(parts.count) && parts.allSatisfy { !$0.isEmpty }, "\(action.rawValue)")
        }
        #expect(AuditAction(rawValue: "tools.execute") == .toolsExecute)
        #expect(AuditAction.exportBundle.rawValue == "export")
    }
}
