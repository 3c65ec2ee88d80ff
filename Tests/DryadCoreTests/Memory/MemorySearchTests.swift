import DryadTestSupport
import Foundation
import Synchronization
import Testing

@testable import DryadCore

/// Full-text search: what it covers, ranking, syntax, filters, pages.
@Suite struct MemorySearchTests: MemoryTesting {
    let folder: TemporaryFolder
    let clock: MemoryTestClock
    let database: DryadDatabase

    init() throws { (folder, clock, database) = try makeMemoryFixture() }

    // MARK: - Search

    @Test func searchCoversValuesKeysTypeAndTags() async throws {
        let byValue = try await store(#"{"note": "the quarterly roadmap", "n": 42, "list": ["glacier"]}"#)
        let byNestedKey = try await store(#"{"outer": {"blueprint": 1}}"#)
        let byType = try await store(#"{"note": "x"}"#, type: "retrospective")
        let byTag = try await store(#"{"note": "y"}"#, tags: ["urgent"])

        #expect(try await searchIDs("roadmap") == [byValue.id])
        #expect(try await searchIDs("glacier") == [byValue.id], "strings inside arrays are indexed")
        #expect(try await searchIDs("blueprint") == [byNestedKey.id], "nested keys are indexed")
        #expect(try await searchIDs("retrospective") == [byType.id])
        #expect(try await searchIDs("urgent") == [byTag.id])
        #expect(try await searchIDs("42").isEmpty, "numbers are not text")
        #expect(try await searchIDs("ROADMAP") == [byValue.id], "case-insensitive")
        #expect(try await searchIDs("note") == [byValue.id, byType.id, byTag.id])
    }

    /// Every term reaches FTS5 quoted, so no query text may end in an SQLite error: random mixes
    /// of FTS5 operators, quotes, punctuation and odd Unicode either search or are invalid input.
    @Test func noQueryTextIsAStorageError() async throws {
        _ = try await store(#"{"note": "alpha beta gamma", "k": "naïve café ☃ 東京"}"#)
        let pieces = [
            "alpha", "\"", "*", "\"al\"*", "a*b", "NEAR(", ")", "(", "-", "^", ":", "note:alpha", "{a b}:c", "+", "AND",
            "OR", "NOT", "''", "'", ";", "--", "/*", "\\", "é", "e\u{301}", "東", "☃", "🧪", "\u{200B}", "\u{FEFF}", "\u{7F}",
            "\u{1}", "\u{0}", "\"\u{301}", "a\"\u{301}", "\u{301}", "\t", "_", "%", "a\"b", "\"\"", "*\"", "beta*", "\u{2028}", "ß", "İ", "\u{FFFD}", "0",
            "1.5e3",
        ]
        var random = SplitMix64(seed: 8)
        for _ in 0..<400 {
            let text = (0..<Int(random.next() % 6 + 1)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }
                .joined(separator: random.next() % 3 == 0 ? "" : " ")
            do {
                _ = try await memory.search(text, MemoryQuery(), as: testOperator)
            } catch {
                #expect(error.code == "invalid_input", "\(text.debugDescription): \(error)")
            }
        }
    }

    @Test func searchRanksMoreMentionsHigherAndReportsScoreAndSnippet() async throws {
        let once = try await store(#"{"note": "apple banana cherry plum"}"#)
        let thrice = try await store(#"{"note": "apple apple apple plum"}"#)
        _ = try await store(#"{"note": "banana cherry plum pear"}"#)

        let results = try await search("apple")
        #expect(results.map(\.id) == [thrice.id, once.id])
        let scores = results.compactMap(\.score)
        #expect(scores.count == 2)
        #expect(scores[0] > scores[1])
        #expect(results.allSatisfy { $0.snippet?.contains("[apple]") == true }, "\(results.map(\.snippet))")
    }

    @Test func searchAndsWordsAndSupportsPhrasesAndPrefixes() async throws {
        let redFox = try await store(#"{"text": "the quick red fox jumps"}"#)
        let foxRed = try await store(#"{"text": "a fox that is red"}"#)
        let blueFox = try await store(#"{"text": "the blue fox"}"#)
        let foxtrot = try await store(#"{"text": "dance the foxtrot"}"#)

        #expect(try await searchIDs("red fox") == [redFox.id, foxRed.id])
        #expect(try await searchIDs("fox red") == [redFox.id, foxRed.id], "word order does not matter")
        #expect(try await searchIDs("red fox blue").isEmpty, "every word must match")
        #expect(try await searchIDs("\"red fox\"") == [redFox.id], "a phrase matches in order")
        #expect(try await searchIDs("\"fox red\"").isEmpty)
        #expect(try await searchIDs("fox") == [redFox.id, foxRed.id, blueFox.id])
        #expect(try await searchIDs("fox*") == [redFox.id, foxRed.id, blueFox.id, foxtrot.id])
        #expect(try await searchIDs("foxt*") == [foxtrot.id])
        #expect(try await searchIDs("\"quick re\"*") == [redFox.id], "a phrase may end in a prefix")
        #expect(try await searchIDs("blue \"the blue\"") == [blueFox.id])
    }

    @Test func searchFiltersCombineWithTheMatch() async throws {
        let c1 = try await store(#"{"t": "deploy plan"}"#, agent: "a1", type: "task", tags: ["q3"])
        let c2 = try await store(#"{"t": "deploy plan"}"#, agent: "a2", type: "task", tags: ["q3"])
        let c3 = try await store(#"{"t": "deploy plan"}"#, agent: "a1", type: "note", tags: ["q4"])
        let c4 = try await store(#"{"t": "deploy plan"}"#, agent: "a1", type: "task", tags: ["q4"])
        _ = try await store(#"{"t": "unrelated"}"#, agent: "a1", type: "task", tags: ["q3"])
        let since = try #require(Timestamp.parse(c3.createdAt))

        #expect(try await searchIDs("deploy", MemoryQuery(agentID: "a1")) == [c1.id, c3.id, c4.id])
        #expect(try await searchIDs("deploy", MemoryQuery(contextType: "task")) == [c1.id, c2.id, c4.id])
        #expect(try await searchIDs("deploy", MemoryQuery(tags: ["q3"])) == [c1.id, c2.id])
        #expect(try await searchIDs("deploy", MemoryQuery(since: since)) == [c3.id, c4.id])
        #expect(try await searchIDs("deploy", MemoryQuery(agentID: "a1", contextType: "task", tags: ["q4"])) == [c4.id])
        #expect(try await searchIDs("deploy", MemoryQuery(agentID: "a2", since: since)).isEmpty)
        #expect(try await searchIDs("deploy", MemoryQuery(parentID: c1.id)).isEmpty)
    }

    @Test func theIndexFollowsUpdatesAndDeletes() async throws {
        let context = try await store(#"{"note": "alpha"}"#, tags: ["first"])
        #expect(try await searchIDs("alpha") == [context.id])

        _ = try await memory.update(context.id, MemoryChange(content: .replace(try parse(#"{"note": "beta"}"#))), as: testOperator)
        #expect(try await searchIDs("alpha").isEmpty, "old words no longer match")
        #expect(try await searchIDs("beta") == [context.id])

        _ = try await memory.update(
            context.id, MemoryChange(content: .mergePatch(try parse(#"{"gamma": {"delta": "epsilon"}}"#))),
            as: testOperator)
        #expect(try await searchIDs("gamma delta epsilon beta") == [context.id])

        _ = try await memory.update(context.id, MemoryChange(tags: ["second"]), as: testOperator)
        #expect(try await searchIDs("first").isEmpty)
        #expect(try await searchIDs("second") == [context.id])

        // A failed (conflicting) update leaves the index as it was.
        _ = await failure {
            try await memory.update(
                context.id, MemoryChange(content: .replace(try parse(#"{"note": "zeta"}"#)), ifVersion: 1),
                as: testOperator)
        }
        #expect(try await searchIDs("zeta").isEmpty)
        #expect(try await searchIDs("beta") == [context.id])

        #expect(try await memory.delete(context.id, recursive: false, as: testOperator) == 1)
        #expect(try await searchIDs("beta").isEmpty)
        #expect(try await searchIDs("second").isEmpty)
    }

    @Test func punctuationAndQuerySyntaxAreNeverStorageErrors() async throws {
        let article = try await store(#"{"note": "a state-of-the-art design, near a b or c"}"#)
        #expect(try await searchIDs("state-of-the-art") == [article.id])

        let hostile = [
            "'; DROP TABLE x; --", "NEAR(a b)", "a OR", "OR", "AND", "NOT", "*", "\"", "\"\"", "**", "a*b*",
            "(", ")", "note:design", "body:design", "^design", "-design", "+", "'", "%", "{a b}", "a NOT b",
            "design\"", "\"design", "a \"b", "\u{0}", "memory_fts", "rowid = 1", "* OR 1=1", "\\",
        ]
        for query in hostile {
            let error = await failure { try await search(query) }
            #expect(error == nil || error?.code == "invalid_input", "\(query): \(String(describing: error))")
        }
        // Quoted FTS keywords are plain words.
        #expect(try await searchIDs("NEAR(a b)") == [article.id])
        #expect(try await searchIDs("a OR") == [article.id])
        #expect(try await searchIDs("^design") == [article.id])
        // Nothing was dropped or broken.
        #expect(try await searchIDs("design") == [article.id])
        #expect(try await listIDs() == [article.id])
        // An empty query and an unterminated quote are refused as invalid input.
        for query in ["", "   ", "*", "\"unterminated"] {
            let error = await failure { try await search(query) }
            #expect(error?.code == "invalid_input", "\(query)")
        }
    }

    @Test func searchPagesAreDisjointAndComplete() async throws {
        var ids: Set<String> = []
        for index in 0..<7 {
            ids.insert(try await store(#"{"note": "common word \#(String(repeating: "common ", count: index))"}"#).id)
        }
        var seen: [String] = []
        var cursor: String?
        var pages = 0
        repeat {
            let page = try await memory.search("common", MemoryQuery(), page: PageRequest(limit: 3, cursor: cursor), as: testOperator)
            #expect(page.items.count <= 3)
            #expect(page.items.allSatisfy { $0.score != nil && $0.snippet != nil })
            seen += page.items.map(\.id)
            cursor = page.nextCursor
            pages += 1
        } while cursor != nil && pages < 10
        #expect(pages == 3)
        #expect(seen.count == 7)
        #expect(Set(seen) == ids)
        // Across pages, the order is still best first.
        #expect(seen == (try await search("common")).map(\.id))

        let bad = await failure {
            try await memory.search("common", MemoryQuery(), page: PageRequest(limit: 3, cursor: "not-a-cursor"), as: testOperator)
        }
        #expect(bad?.code == "invalid_input")
        let badLimit = await failure { try await memory.search("common", MemoryQuery(), page: PageRequest(limit: 0), as: testOperator) }
        #expect(badLimit?.code == "invalid_input")
    }

    @Test func searchPagesThroughEqualScoresAndFiltersInRankOrder() async throws {
        // Given nine contexts that score exactly alike, and better-scoring ones of another agent
        // that the filter must skip while SQLite walks the matches best first,
        var twins: Set<String> = []
        for _ in 0..<9 { twins.insert(try await store(#"{"note": "twin entry"}"#, agent: "a2").id) }
        for _ in 0..<5 { _ = try await store(#"{"note": "twin twin twin"}"#, agent: "a1") }

        // when the tied ones are paged two at a time,
        var seen: [String] = []
        var cursor: String?
        repeat {
            let page = try await memory.search("twin", MemoryQuery(agentID: "a2"), page: PageRequest(limit: 2, cursor: cursor), as: testOperator)
            seen += page.items.map(\.id)
            cursor = page.nextCursor
        } while cursor != nil && seen.count < 20

        // then every one comes exactly once, and unfiltered the better scores come first.
        #expect(seen.count == 9)
        #expect(Set(seen) == twins)
        let all = try await search("twin")
        #expect(all.count == 14)
        #expect(Set(all.prefix(5).map(\.agentID)) == ["a1"])
        #expect(zip(all, all.dropFirst()).allSatisfy { ($0.score ?? 0) >= ($1.score ?? 0) })
    }

    @Test func searchSnippetIsPresentWhenTheDataHasNoText() async throws {
        // A match on the type of a context whose data holds no keys or strings.
        let context = try await store("{}", type: "checkpoint", tags: ["nightly"])
        let found = try await search("checkpoint")
        #expect(found.map(\.id) == [context.id])
        #expect(found.first?.score != nil)
        #expect(found.first?.snippet == "[checkpoint]", "search items always carry a snippet")
    }

    @Test func aPunctuationOnlyWordDoesNotHideMatches() async throws {
        let context = try await store(#"{"note": "'; DROP TABLE x; --"}"#)
        #expect(try await searchIDs("DROP TABLE x") == [context.id])
        let whole = try await searchIDs("'; DROP TABLE x; --")
        let dashed = try await searchIDs("DROP - TABLE")
        #expect(whole == [context.id])
        #expect(dashed == [context.id])
    }
}
