import Fluent
import LinliCore
import Vapor

/// The operator and staff console. Reads go through the same queries as the API, writes through `Registry`.
enum ConsolePages {
    struct Tab: Encodable {
        let href: String
        let label: String
        let current: Bool
    }

    /// The header every community page shares.
    struct Header: Encodable {
        let id: UUID
        let name: String
        let address: String
        let canManage: Bool
        let tabs: [Tab]
    }

    struct Pager: Encodable {
        let page: Int
        let pages: Int
        let total: Int
        let previous: String?
        let next: String?
    }

    struct Row: Encodable {
        let cells: [String]
        let href: String?
        let action: String?
        let actionLabel: String?
    }

    struct ListPage: Encodable {
        let header: Header
        let heading: String
        let columns: [String]
        let rows: [Row]
        let pager: Pager?
        let query: String
        let searchable: Bool
        let form: String?
        let buildings: [Option]
        let households: [Option]
        let extra: [String: String]
        /// Device types, for the device form.
        var types: [Option] = []
    }

    struct Option: Encodable {
        let value: String
        let label: String
    }

    struct CommunityCard: Encodable {
        let name: String
        let address: String
        let href: String
    }

    struct CommunitiesPage: Encodable {
        let communities: [CommunityCard]
        let isAdmin: Bool
    }

    static func register(_ web: any RoutesBuilder) {
        registerCommunity(web)
        registerHouseholds(web)
        registerPeople(web)
        registerImportAndAudit(web)
        registerDevices(web)
        registerRulesAndAlarms(web)
        registerGates(web)
    }

    struct ImportIssue: Encodable {
        let line: Int
        let column: String
        let reason: String
    }

    struct ImportPage: Encodable {
        let header: Header
        let result: String?
        let issues: [ImportIssue]
        let error: String?
    }

    struct ImportForm: Content {
        var csv: String?
        var file: File?
    }

    struct PersonPage: Encodable {
        let header: Header
        let person: PersonRead
        let places: [String]
        let roles: [String]
        let hasPassword: Bool
        let action: String
        let resetAction: String
        let currentYear: Int
        /// For a child: the registered guardians, and the adults living with the child who could be.
        let guardians: Guardianship?
    }

    struct Guardianship: Encodable {
        struct Entry: Encodable {
            let name: String
            let remove: String
        }
        let entries: [Entry]
        let candidates: [Option]
        let action: String
    }

    struct GuardianForm: Content {
        var guardianID: UUID
    }

    struct BuildingForm: Content {
        var buildingID: UUID
        var name: String?
        var floors: String?
    }

    struct PersonForm: Content {
        var name: String
        var birthYear: String?
        var isElderly: String?
        var livesAlone: String?
        var isChild: String?
    }

    struct StaffForm: Content {
        var phone: String
        var name: String?
        var role: String
        var password: String?
        var shift: String?
    }

    struct ResidentForm: Content {
        var name: String
        var phone: String
        var birthYear: String?
        var householdID: UUID
        var relation: String
        var movedIn: String?
        var isElderly: String?
        var livesAlone: String?
        var isChild: String?

        func input() throws -> ResidentCreate {
            guard let relation = HouseholdRelation(rawValue: relation) else {
                throw LinliError.invalid("relation", "invalid_value")
            }
            var year: Int?
            if let text = birthYear?.nilIfEmpty {
                guard let value = Int(text) else { throw LinliError.invalid("birthYear", "invalid_value") }
                year = value
            }
            var moved: CivilDate?
            if let text = movedIn?.nilIfEmpty {
                guard let day = CivilDate(text) else { throw LinliError.invalid("movedIn", "invalid_date") }
                moved = day
            }
            return ResidentCreate(
                name: name, phone: phone, birthYear: year, isElderly: isElderly != nil, livesAlone: livesAlone != nil,
                isChild: isChild != nil, householdID: householdID, relation: relation, movedIn: moved)
        }
    }

    static func header(_ req: Request, current: String) async throws -> Header {
        let id = try req.id("communityID")
        try req.authorize(.viewRegistry(id))
        // The page's declared authority read the community already; other routes read it here.
        var found = req.scope.row?.id == id ? req.scope.row : nil
        if found == nil { found = try await Community.find(id, on: req.db) }
        guard let community = found else { throw LinliError(.notFound) }
        let canManage = req.can(.manageRegistry(id))
        let tabs = req.application.consoleTabs.all.filter { req.can($0.shown(id)) }
        return Header(
            id: id, name: community.name, address: community.address, canManage: canManage,
            tabs: tabs.map { Tab(href: $0.route(id).path, label: req.t("console.tab.\($0.name)"), current: $0.name == current) })
    }

    static func pager(_ metadata: PageMetadata, _ req: Request) -> Pager {
        let pages = max(1, (metadata.total + metadata.per - 1) / metadata.per)
        func link(_ page: Int) -> String {
            var components = URLComponents()
            components.path = req.url.path
            var items = (URLComponents(string: req.url.string)?.queryItems ?? []).filter { $0.name != "page" }
            items.append(URLQueryItem(name: "page", value: "\(page)"))
            components.queryItems = items
            return components.string ?? req.url.path
        }
        return Pager(
            page: metadata.page, pages: pages, total: metadata.total,
            previous: metadata.page > 1 ? link(metadata.page - 1) : nil,
            next: metadata.page < pages ? link(metadata.page + 1) : nil)
    }
}
