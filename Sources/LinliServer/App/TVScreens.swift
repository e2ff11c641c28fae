import Foundation
import LinliCore
import NIOConcurrencyHelpers
import Vapor

/// The household a TV box serves, and who it acts for there: a person of the household (its eldest
/// current resident) signed in for this request only with a role cut down to that one home — no staff
/// role, no other home. Features read `req.user()` as for anyone else; the TV's own code decides who.
struct TVViewer: Sendable {
    let device: UUID
    let community: UUID
    let household: UUID
    let person: UUID
}

/// One line of a TV screen: something to read (every line takes the focus, so 0 reads it aloud), and
/// maybe something to do — open `href`, or post to `post` with `action` as its `do`. `id` names it on
/// the page, so Back can return the focus to it; `number` (1–9, given by the TV) is its digit key.
struct TVItem: Encodable, Sendable {
    var id: String
    var label: String
    var detail: String? = nil
    /// A figure or number shown large (a phone number, an amount).
    var big: String? = nil
    var href: String? = nil
    var post: String? = nil
    var action: String? = nil
    var number: Int? = nil
    /// Drawn as a warning (unpaid, a leak, an open reminder).
    var urgent = false
    /// Drawn as done (paid, signed up).
    var done = false
    /// Opens the household PIN pad before it posts.
    var needsPIN = false
    /// What 0 (or OK on a line that does nothing else) reads aloud instead of the line (a whole notice).
    var speak: String? = nil
}

/// A screen of the TV channel, as a feature describes it; the TV feature draws it (big text, one focus,
/// the remote's keys). `name` is the screen's `data-screen`.
struct TVScreen: Encodable, Sendable {
    var name: String
    var title: String
    /// One plain sentence under the title (the answer to "how am I doing here").
    var lead: String? = nil
    var items: [TVItem] = []
    /// Longer text to read (a notice, an answer), paragraph by paragraph.
    var paragraphs: [String] = []
    /// The result of what was just done, shown first (`tone`: `ok` or `error`).
    var message: String? = nil
    var tone: String? = nil
    /// Where Back goes (the screen above, with the focus on `backFocus`); nil on a feature's first
    /// screen: home, with the focus on its tile.
    var back: String? = nil
    var backFocus: String? = nil
}

/// A screen a feature offers on the TV: its tile on the TV's home (`order`, at most eight tiles, each
/// opened by its digit), how it looks (`show`, with the path's item, if any) and what its items post
/// (`act`: the item and the form; it answers the screen to show next).
struct TVScreenSpec: Sendable {
    typealias Show = @Sendable (Request, TVViewer, String?) async throws -> TVScreen
    typealias Act = @Sendable (Request, TVViewer, String?, TVForm) async throws -> TVScreen
    let name: String
    let order: Int
    let show: Show
    let act: Act?
}

/// What a TV item posts: its `do`, the household PIN from the number pad when the item asks for it,
/// and a request key (the same press twice does it once).
struct TVForm: Content, Sendable {
    var `do`: String?
    var pin: String?
    var key: String?
}

/// Something that must reach the viewer on every screen within seconds: an emergency notice (a red
/// banner), a care reminder. `href` opens where it is answered.
struct TVAlert: Codable, Sendable, Equatable {
    let text: String
    let href: String
    /// Red: an emergency; otherwise a reminder.
    let emergency: Bool
}

/// The TV's addresses, for the features' items (the TV feature routes them).
enum TVPaths {
    static func screen(_ name: String) -> String { "/tv/\(name)" }
    static func item(_ name: String, _ id: UUID) -> String { "/tv/\(name)/item/\(id)" }
}

/// The TV channel's screens, from every feature (see ``TVScreenSpec``), the alerts every screen shows,
/// and the lines of the home's header (the weather).
final class TVScreens: Sendable {
    typealias Alerts = @Sendable (Request, TVViewer) async throws -> [TVAlert]
    typealias Status = @Sendable (Request, TVViewer) async throws -> String?
    private let specs = NIOLockedValueBox([TVScreenSpec]())
    private let alertSources = NIOLockedValueBox([Alerts]())
    private let statusSources = NIOLockedValueBox([Status]())

    func add(_ name: String, order: Int, show: @escaping TVScreenSpec.Show, act: TVScreenSpec.Act? = nil) {
        specs.withLockedValue { $0.append(TVScreenSpec(name: name, order: order, show: show, act: act)) }
    }

    func addAlerts(_ source: @escaping Alerts) { alertSources.withLockedValue { $0.append(source) } }
    func addStatus(_ source: @escaping Status) { statusSources.withLockedValue { $0.append(source) } }

    /// Every feature's alerts for the viewer, emergencies first.
    func alerts(_ req: Request, _ viewer: TVViewer) async throws -> [TVAlert] {
        var all: [TVAlert] = []
        for source in alertSources.withLockedValue({ $0 }) { all += try await source(req, viewer) }
        return all.filter(\.emergency) + all.filter { !$0.emergency }
    }

    func status(_ req: Request, _ viewer: TVViewer) async throws -> [String] {
        var lines: [String] = []
        for source in statusSources.withLockedValue({ $0 }) { if let line = try await source(req, viewer) { lines.append(line) } }
        return lines
    }

    var all: [TVScreenSpec] { specs.withLockedValue { $0 }.sorted { $0.order < $1.order } }

    func named(_ name: String) -> TVScreenSpec? { all.first { $0.name == name } }

    /// A screen's path with one query value (a category).
    static func query(_ path: String, _ name: String, _ value: String) -> String {
        path + "?" + name + "=" + (value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
    }
}

/// Checks a PIN typed on the TV's number pad against the household's people: the features that keep
/// PINs (the wallet's self-service PIN) answer whose it is.
final class HouseholdPINs: Sendable {
    typealias Check = @Sendable (UUID, String, Request) async throws -> UUID?
    private let checks = NIOLockedValueBox([Check]())

    func add(_ check: @escaping Check) { checks.withLockedValue { $0.append(check) } }

    /// The person whose PIN was typed on the TV (at most 5 wrong tries per box in 15 minutes, slowed
    /// after 2); 422 `tv_pin_wrong` otherwise.
    func confirm(_ viewer: TVViewer, pin: String?, on req: Request) async throws -> UUID {
        let wrong = LinliError.invalid("pin", "tv_pin_wrong")
        guard let pin, (4...6).contains(pin.count), pin.allSatisfy(\.isASCIIDigit) else { throw wrong }
        var rules = LoginThrottle()
        rules.slowAfter = 2
        rules.lockAfter = 5
        var who: UUID?
        try await AttemptThrottle.guarded([("tv-pin:\(viewer.device)", rules)], failure: wrong, on: req) {
            who = try await holder(in: viewer.household, pin: pin, on: req)
            return who != nil
        }
        guard let who else { throw wrong }
        return who
    }

    /// The person of `household` whose PIN this is; nil when it is nobody's; `pin_locked` from the keeper.
    func holder(in household: UUID, pin: String, on req: Request) async throws -> UUID? {
        for check in checks.withLockedValue({ $0 }) {
            if let person = try await check(household, pin, req) { return person }
        }
        return nil
    }
}

extension Application {
    private struct TVScreensKey: StorageKey { typealias Value = TVScreens }
    private struct HouseholdPINsKey: StorageKey { typealias Value = HouseholdPINs }

    /// The TV channel's screens (see ``TVScreens``).
    var tvScreens: TVScreens {
        if let existing = storage[TVScreensKey.self] { return existing }
        let made = TVScreens()
        storage[TVScreensKey.self] = made
        return made
    }

    /// The household PIN's keepers (see ``HouseholdPINs``).
    var householdPINs: HouseholdPINs {
        if let existing = storage[HouseholdPINsKey.self] { return existing }
        let made = HouseholdPINs()
        storage[HouseholdPINsKey.self] = made
        return made
    }
}
