/// `serve --log-format`: each log record as a line of text, or as one JSON object per line.
public enum LogFormat: String, Sendable, CaseIterable {
    case text, json
}
