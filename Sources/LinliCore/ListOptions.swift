/// Page, size, sort and filter of a list request — the one way every list in Linli is asked for.
public struct ListOptions: Sendable, Equatable {
    public static let defaultPer = 20
    public static let maxPer = 100

    public let page: Int
    public let per: Int
    public let sort: String
    public let descending: Bool
    /// Free-text filter, trimmed; nil when empty.
    public let query: String?

    public var offset: Int { (page - 1) * per }

    /// A reason a list request was refused, with the parameter at fault.
    public enum Problem: Error, Sendable, Equatable {
        case invalidPage
        case invalidPer
        case unknownSort(allowed: [String])
        case invalidOrder
    }

    /// Validates the raw query parameters against the sort keys the list allows.
    public init(
        page: String?, per: String?, sort: String?, order: String?, query: String?,
        sortable: [String], defaultSort: String
    ) throws(Problem) {
        let pageValue = page.map { Int($0) } ?? 1
        guard let pageValue, pageValue >= 1, pageValue <= 1_000_000 else { throw .invalidPage }
        let perValue = per.map { Int($0) } ?? Self.defaultPer
        guard let perValue, (1...Self.maxPer).contains(perValue) else { throw .invalidPer }
        var sortKey = sort ?? defaultSort
        var descending = false
        if sortKey.hasPrefix("-") {
            descending = true
            sortKey.removeFirst()
        }
        guard sortable.contains(sortKey) else { throw .unknownSort(allowed: sortable) }
        switch order?.lowercased() {
        case nil: break
        case "asc": descending = false
        case "desc": descending = true
        default: throw .invalidOrder
        }
        let trimmed = query?.trimmingSpaces ?? ""
        self.page = pageValue
        self.per = perValue
        self.sort = sortKey
        self.descending = descending
        self.query = trimmed.isEmpty ? nil : String(trimmed.prefix(100))
    }
}
