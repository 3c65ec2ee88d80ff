import Foundation

/// Where a run belongs in agent memory: the context it serves, where its input comes from in
/// that context, and where its output goes.
public struct RunInContext: Sendable, Equatable {
    public var contextID: String
    /// A JSON pointer into the context's resolved data: the value there is the run's input,
    /// with any explicit input applied over it as an RFC 7396 merge patch.
    public var inputFrom: String?
    /// A JSON pointer into the context's own data: on success the output is written there as
    /// a new version (the caller needs write access).
    public var storeOutput: String?
    /// The versions the output may be stored over, as `memory update --if-version`.
    public var ifVersion: ExpectedNumbers?
    public var onConflict: MemoryChange.ConflictPolicy

    public init(
        contextID: String, inputFrom: String? = nil, storeOutput: String? = nil, ifVersion: ExpectedNumbers? = nil,
        onConflict: MemoryChange.ConflictPolicy = .reject
    ) {
        self.contextID = contextID
        self.inputFrom = inputFrom
        self.storeOutput = storeOutput
        self.ifVersion = ifVersion
        self.onConflict = onConflict
    }

    /// The field rules: pointers are RFC 6901 pointers, and a version precondition needs an
    /// output to store.
    func check() throws(DryadError) {
        for (field, pointer) in [("input_from", inputFrom), ("store_output", storeOutput)] {
            if let pointer, JSONPointer.tokens(pointer) == nil {
                throw .invalidInput("\(field): \"\(ToolRules.printable(pointer))\" is not a JSON pointer (empty, or /name/0/… with ~0 for ~ and ~1 for /)")
            }
        }
        if storeOutput == nil, ifVersion != nil || onConflict != .reject {
            throw .invalidInput("if_version and on_conflict apply to an output stored in the context; name where it goes")
        }
    }

    /// The input a run in this context gets: `explicit` over the value at `inputFrom` in
    /// `resolved` (an empty explicit input leaves that value as it is).
    func input(explicit: JSONValue, resolved: JSONValue) throws(DryadError) -> JSONValue {
        guard let pointer = inputFrom else { return explicit }
        guard let found = JSONPointer.resolve(pointer, in: resolved) else {
            throw .invalidInput("input_from: context \(contextID) has no value at \(pointer)")
        }
        if explicit == .object([:]) { return found }
        guard found.objectValue != nil, explicit.objectValue != nil else {
            throw .invalidInput(
                "input: an explicit input is merged over the value at \(pointer) only when both are objects (that value is \(found.typeName == "array" ? "an" : "a") \(found.typeName))"
            )
        }
        return JSONMerge.apply(explicit, to: found)
    }
}
