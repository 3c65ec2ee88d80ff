/// Free text dryad stores in a column of its own (a description, a label, an error message).
///
/// SQLite's text binding through GRDB ends a string at its first NUL, so `abc\u{0}def` was
/// stored as `abc` without a word: such text is refused instead, with the field named.
/// (JSON columns are not affected: their canonical text escapes a NUL as `\u0000`.)
public enum StoredText {
    public static func check(_ text: String, field: String) throws(DryadError) {
        guard !text.utf8.contains(0) else { throw .invalidInput("\(field): must not contain a NUL character (U+0000)") }
    }
}
