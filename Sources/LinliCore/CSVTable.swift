/// A parsed CSV file (RFC 4180): quoted fields, doubled quotes, CRLF or LF, a UTF-8 BOM.
public struct CSVTable: Sendable, Equatable {
    /// One record with the 1-based line of the file it starts on.
    public struct Record: Sendable, Equatable {
        public let line: Int
        public let fields: [String]
    }

    public enum ParseError: Error, Equatable, Sendable {
        case unterminatedQuote(line: Int)
        case empty
    }

    public let header: [String]
    public let records: [Record]

    public init(parsing text: String) throws(ParseError) {
        var all = try Self.records(in: text)
        all.removeAll { $0.fields.allSatisfy { $0.trimmingSpaces.isEmpty } }
        guard let first = all.first else { throw .empty }
        header = first.fields.map(\.trimmingSpaces)
        records = Array(all.dropFirst())
    }

    private static func records(in text: String) throws(ParseError) -> [Record] {
        var result: [Record] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var line = 1
        var recordLine = 1
        var scalars = Array(text.unicodeScalars)
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        var index = 0
        func endRecord() {
            fields.append(field)
            result.append(Record(line: recordLine, fields: fields))
            fields = []
            field = ""
        }
        while index < scalars.count {
            let c = scalars[index]
            if inQuotes {
                if c == "\"" {
                    if index + 1 < scalars.count, scalars[index + 1] == "\"" {
                        field.unicodeScalars.append("\"")
                        index += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
            } else {
                switch c {
                case "\"" where field.isEmpty: inQuotes = true
                case ",": fields.append(field); field = ""
                case "\r": break
                case "\n":
                    endRecord()
                    line += 1
                    recordLine = line
                default: field.unicodeScalars.append(c)
                }
            }
            index += 1
        }
        if inQuotes { throw .unterminatedQuote(line: recordLine) }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        return result
    }
}

extension String {
    /// The string without leading and trailing white space (ASCII and the ideographic space).
    public var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0.isWhitespace }
        guard let start = firstIndex(where: { !isSpace($0) }),
            let end = lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(self[start...end])
    }
}

extension CSVTable {
    /// One line of a CSV file Linli writes (RFC 4180): a field with a comma, quote or line break is quoted
    /// and its quotes doubled; a field that a spreadsheet would run as a formula (starting with `=`, `+`,
    /// `-`, `@`, a tab or a carriage return) gets a leading `'`, so a hostile name stays text.
    public static func line(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",")
    }

    public static func field(_ text: String) -> String {
        var text = text
        if let first = text.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else {
            return text
        }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
