import DryadCore

/// The code of the `DryadError` that `body` throws, or a description of what happened instead
/// (so `#expect(errorCode { … } == "invalid_input")` fails on no error or another error).
public func errorCode(_ body: () throws -> Void) -> String {
    do {
        try body()
        return "no error"
    } catch let error as DryadError {
        return error.code
    } catch {
        return "not a DryadError: \(error)"
    }
}

/// `errorCode` for async work.
public func errorCode(_ body: () async throws -> Void) async -> String {
    do {
        try await body()
        return "no error"
    } catch let error as DryadError {
        return error.code
    } catch {
        return "not a DryadError: \(error)"
    }
}
