import ArgumentParser
import DryadCore
import Foundation

/// `--limit` and `--cursor`, shared by every listing.
struct PageOptions: ParsableArguments {
    @Option(help: "Items per page (1-1000).")
    var limit = PageRequest.defaultLimit

    @Option(help: "Continue from the cursor a previous page printed.")
    var cursor: String?

    var request: PageRequest { PageRequest(limit: limit, cursor: cursor) }
}
