import Crypto
import DryadCore
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DryadServer

/// The byte-level reading of `Authorization` headers.
@Suite struct BearerHeaderTests {
    @Test(arguments: [
        ("Bearer abc", "abc"), ("bearer abc", "abc"), ("BEARER  abc \t", "abc"), ("Bearer \tabc.def-ghi_", "abc.def-ghi_"),
        ("Bearer ", ""), ("Bearer    ", ""),
    ])
    func readsTheToken(header: String, token: String) {
        #expect(AuthMiddleware.bearerToken(header) == token)
    }

    @Test(arguments: ["Basic abc", "Bearer", "Bearerabc", "Bearer\u{E9}abc", "Beare\u{1F600}", "Beareé abc", "béarer abc", "", "Token abc", "Bearer\tabc"])
    func refusesOtherSchemes(header: String) {
        #expect(AuthMiddleware.bearerToken(header) == nil)
    }
}
