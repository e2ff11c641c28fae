import Fluent
import LinliCore
import Vapor

/// Position of a page in a list.
struct PageMetadata: Content {
    let page: Int
    let per: Int
    let total: Int
}

/// The one page shape of every list response.
struct ListPage<Item> {
    let items: [Item]
    let metadata: PageMetadata
}

extension ListPage: Encodable where Item: Encodable {}
extension ListPage: Decodable where Item: Decodable {}
extension ListPage: Sendable where Item: Sendable {}
extension ListPage: Content, RequestDecodable, ResponseEncodable, AsyncRequestDecodable, AsyncResponseEncodable
where Item: Content {}

/// The sort keys a list allows (each is also the column it sorts by) and its default (`-key` for descending).
/// One value per list, used by the route, its OpenAPI parameters and the console page alike.
struct Sorting: Sendable {
    let keys: [String]
    let defaultSort: String
}

extension Request {
    /// Reads `page`, `per`, `sort`, `order`, `q` and validates them (400 with the reason).
    func listOptions(_ sorting: Sorting) throws -> ListOptions {
        do {
            return try ListOptions(
                page: query[String.self, at: "page"], per: query[String.self, at: "per"],
                sort: query[String.self, at: "sort"], order: query[String.self, at: "order"],
                query: query[String.self, at: "q"], sortable: sorting.keys, defaultSort: sorting.defaultSort)
        } catch {
            let (field, reason): (String, String) =
                switch error {
                case .invalidPage: ("page", "invalid_page")
                case .invalidPer: ("per", "invalid_per")
                case .unknownSort: ("sort", "unknown_sort")
                case .invalidOrder: ("order", "invalid_order")
                }
            throw LinliError(.invalidListQuery, ["field": field], issues: [FieldIssue(field: field, reason: reason)])
        }
    }
}

extension Request {
    /// One page of a list computed whole (a household's members, a community's notices for one reader):
    /// `all` comes in the order of `sorting`'s default, its one key; `-key` or `order` turns it round.
    func page<Item>(_ all: [Item], _ sorting: Sorting) throws -> ListPage<Item> {
        let options = try listOptions(sorting)
        let ordered = options.descending == sorting.defaultSort.hasPrefix("-") ? all : all.reversed()
        let start = min(options.offset, ordered.count)
        return ListPage(
            items: Array(ordered[start..<min(start + options.per, ordered.count)]),
            metadata: PageMetadata(page: options.page, per: options.per, total: ordered.count))
    }
}

extension QueryBuilder {
    /// Sorts, counts and fetches one page; `map` turns rows into the response shape.
    func page<Item>(
        _ options: ListOptions, map: (Model) throws -> Item
    ) async throws -> ListPage<Item> {
        // `options.sort` was checked against the list's `Sorting`, whose keys are column names.
        let key = FieldKey(stringLiteral: options.sort)
        let rows = try await copy()
            .sort(key, options.descending ? .descending : .ascending)
            .sort(.id, .ascending)
            .range(options.offset..<(options.offset + options.per))
            .all()
        // A first page that is not full is the whole list: no count needed (most lists, most of the time).
        let total =
            options.offset == 0 && rows.count < options.per ? rows.count : try await copy().count()
        return ListPage(
            items: try rows.map(map), metadata: PageMetadata(page: options.page, per: options.per, total: total))
    }
}
