import Testing

@testable import DryadCore

@Suite struct SemanticVersionTests {
    @Test func parsesValidVersions() throws {
        for text in [
            "0.0.0", "1.2.3", "10.20.30", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-0.3.7",
            "1.0.0-x.7.z.92", "1.0.0+20130313144700", "1.0.0-beta+exp.sha.5114f85", "1.0.0-x-y-z.--",
        ] {
            let version = try #require(SemanticVersion(text), "\(text) should parse")
            #expect(version.description == text)
        }
    }

    @Test func rejectsInvalidVersions() {
        for text in [
            "", "1", "1.2", "1.2.3.4", "01.2.3", "1.02.3", "1.2.03", "v1.2.3", "1.2.3-", "1.2.3-01",
            "1.2.3+", "1.2.3-a..b", "1.2.3-α", " 1.2.3", "-1.2.3", "1.2.3-a+b+c",
            String(repeating: "9", count: 70) + ".0.0",
        ] {
            #expect(SemanticVersion(text) == nil, "\(text) should be refused")
        }
    }

    @Test func ordersBySemverPrecedence() throws {
        // The chain from semver.org §11, plus numeric comparison of multi-digit parts.
        let chain = [
            "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
            "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.9.0", "1.10.0", "1.11.0", "2.0.0", "2.1.0",
            "2.1.1", "10.0.0", "100.0.0-1", "100.0.0",
        ]
        let versions = try chain.map { try #require(SemanticVersion($0)) }
        for (lower, higher) in zip(versions, versions.dropFirst()) {
            #expect(lower < higher, "\(lower) < \(higher)")
            #expect(lower.precedenceKey < higher.precedenceKey)
        }
        #expect(versions.shuffled().sorted() == versions)
    }

    @Test func ignoresBuildMetadataForPrecedence() throws {
        let a = try #require(SemanticVersion("1.0.0+a"))
        let b = try #require(SemanticVersion("1.0.0+b"))
        #expect(a == b)
        #expect(a.precedenceKey == b.precedenceKey)
        #expect(a.description != b.description)
    }
}
