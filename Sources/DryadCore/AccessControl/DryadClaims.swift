import Crypto
import Foundation
import GRDB
import JWTKit
import Synchronization

/// The claims dryad signs. Checks happen in `TokenService.verify`, against the database clock.
struct DryadClaims: JWTPayload {
    var sub: SubjectClaim
    var exp: ExpirationClaim
    var nbf: NotBeforeClaim
    var iat: IssuedAtClaim
    var iss: IssuerClaim
    var aud: AudienceClaim
    var jti: IDClaim

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
