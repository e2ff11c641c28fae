import Fluent
import Foundation
import Vapor

/// The resident's home page (`/`): their homes with who lives there, the latest notifications for them
/// and the community's useful numbers. What it shows is kept per person and language in a ``ReadCache``
/// tagged with the person, their homes, communities and staff communities; any person's change (a
/// member moved in, a name, a birth year, a role) drops every kept page, a notification or a contact of a
/// community drops that community's (`NotificationsChanged`, `ContactsChanged`, after their commit).
enum HomePages {
    struct Page: KeptContext {
        struct Member: Encodable, Sendable {
            let name: String
            let relation: String
            let isMe: Bool
        }

        struct Home: Encodable, Sendable {
            let community: String
            let building: String
            let room: String
            let floor: Int
            let areaM2: String
            let relation: String
            let members: [Member]
        }

        struct Note: Encodable, Sendable {
            let title: String
            let time: String
        }

        struct Phone: Encodable, Sendable {
            let name: String
            let phone: String
            let dial: String
            let hours: String
        }

        struct Tile: Encodable, Sendable {
            let id: String
            let href: String
            let label: String
        }

        let name: String
        /// The features' tiles (``HomeTiles``) this person sees.
        let tiles: [Tile]
        let homes: [Home]
        let isStaff: Bool
        let notes: [Note]
        let contacts: [Phone]
        /// New at every load (see ``KeptContext``).
        let version: UUID
    }

    struct Key: Hashable, Sendable {
        let person: UUID
        let language: Language
    }

    typealias Cache = ReadCache<Key, Page>

    static func page(_ user: CurrentUser, _ req: Request) async throws -> Page {
        let principal = user.principal
        return try await req.application.homePages.value(
            Key(person: principal.personID, language: req.language), now: req.clock.now()
        ) {
            let tags = Set(principal.households.keys).union(principal.households.values)
                .union(principal.staffRoles.keys).union([principal.personID])
            return (try await load(user, req), tags, .distantFuture)
        }
    }

    private static func load(_ user: CurrentUser, _ req: Request) async throws -> Page {
        var homes: [Page.Home] = []
        let me = try await IdentityAPI.me(req)
        for home in me.households {
            let members = try await RegistryAPI.members(of: home.householdID, on: req).filter(\.isCurrent)
            homes.append(
                .init(
                    community: home.communityName, building: home.building, room: home.room, floor: home.floor,
                    areaM2: String(format: "%.1f", home.areaM2),
                    relation: req.t("relation.\(home.relation.rawValue)"),
                    members: members.map {
                        .init(
                            name: $0.personName, relation: req.t("relation.\($0.relation.rawValue)"),
                            isMe: $0.personID == user.principal.personID)
                    }))
        }
        let notes =
            try await Notifications.query(for: user.principal, on: req)?
            .sort(\.$createdAt, .descending).limit(5).all() ?? []
        var contacts: [Page.Phone] = []
        for community in Set(user.principal.households.values).sorted(by: { $0.uuidString < $1.uuidString }) {
            contacts += try await Contacts.list(community, on: req.db).map { c in
                .init(
                    name: c.name, phone: c.phone, dial: "tel:" + c.phone.filter { $0.isNumber || $0 == "+" },
                    hours: c.hours)
            }
        }
        let isStaff = req.can(.openConsole)
        return Page(
            name: user.person.name,
            tiles: req.application.homeTiles.all.filter { !$0.staffOnly || isStaff }.map {
                .init(id: "to-\($0.name)", href: $0.path, label: req.t($0.label))
            },
            homes: homes, isStaff: isStaff,
            notes: notes.map { .init(title: Notifications.title($0, req), time: ConsolePages.time($0.createdAt, req)) },
            contacts: contacts, version: UUID())
    }
}

extension Application {
    private struct HomePagesKey: StorageKey { typealias Value = HomePages.Cache }

    /// The kept home pages (see ``HomePages``); made before serving.
    var homePages: HomePages.Cache {
        if let cache = storage[HomePagesKey.self] { return cache }
        let cache = HomePages.Cache()
        storage[HomePagesKey.self] = cache
        events.on(NotificationsChanged.self) { cache.forget(tagged: $0.community) }
        events.on(ContactsChanged.self) { cache.forget(tagged: $0.community) }
        events.on(PersonChanged.self) { _ in cache.forgetAll() }
        events.on(PeopleChanged.self) { _ in cache.forgetAll() }
        return cache
    }
}
