import Crypto
import DryadCore
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DryadServer

/// Request ids the server makes up when a client sends none it can use.
@Suite struct RequestIDTests {
    @Test func generatedIDsAreLowerCaseUUIDShapedAndDistinct() throws {
        let generator = RequestIDGenerator()
        let ids = (0..<1000).map { _ in generator.next() }
        #expect(Set(ids).count == ids.count)
        for id in ids.prefix(3) {
            #expect(id.count == 36)
            #expect(id.split(separator: "-").map(\.count) == [8, 4, 4, 4, 12])
            #expect(id.allSatisfy { "0123456789abcdef-".contains($0) })
        }
        // The counter half counts; another process (generator) has another random half.
        #expect(ids[0].hasSuffix("-0000-000000000001") && ids[1].hasSuffix("-0000-000000000002"))
        #expect(RequestIDGenerator().next().prefix(23) != ids[0].prefix(23))
    }
}
