/// A read's request to be answered from the read cache when it can, and kept there.
struct CachedRead<T>: Sendable {
    let plan: ReadCache.Plan
    /// About the bytes an answer holds, for the cache's capacity.
    let cost: @Sendable (T) -> Int
}
