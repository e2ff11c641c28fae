import Vapor

/// Collects every invalid field of a request body, so one answer lists them all (422).
struct Validation {
    private(set) var issues: [FieldIssue] = []

    mutating func fail(_ field: String, _ reason: String) {
        issues.append(FieldIssue(field: field, reason: reason))
    }

    /// A trimmed text of 1...max characters; nil (and an issue) when invalid.
    @discardableResult
    /// Trimmed text of at most `max` characters; control characters are refused, except line breaks and
    /// tabs in `multiline` text (a notice's body, a request's description).
    mutating func text(_ value: String?, _ field: String, max: Int, required: Bool = true, multiline: Bool = false)
        -> String?
    {
        guard let raw = value else {
            if required { fail(field, "missing_value") }
            return nil
        }
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { fail(field, "missing_value"); return nil }
        if trimmed.count > max { fail(field, "too_long"); return nil }
        if trimmed.unicodeScalars.contains(where: {
            $0.properties.generalCategory == .control && !(multiline && ["\n", "\r", "\t"].contains($0))
        }) {
            fail(field, "invalid_value"); return nil
        }
        return trimmed
    }

    mutating func range<T: Comparable>(_ value: T?, _ field: String, _ range: ClosedRange<T>) {
        if let value, !range.contains(value) { fail(field, "out_of_range") }
    }

    func check() throws {
        guard issues.isEmpty else {
            throw LinliError(
                .validationFailed, ["field": issues.map { $0.field ?? "" }.joined(separator: ", ")], issues: issues)
        }
    }
}
