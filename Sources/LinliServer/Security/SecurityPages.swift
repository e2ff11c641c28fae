import Fluent
import Foundation
import LinliCore
import Vapor

/// Home security's pages: the resident's (`/security`) and the guard desk's console. The same value
/// registers the route (`Web.route`) and writes the link.
enum SecurityRoute: PageRoute {
    /// The name of the id after each collection segment of these pages (`req.id("callID")`).
    static let parameterNames: [String: String] = ["calls": "callID", "households": "householdID"]

    case mySecurity
    case arm(UUID)
    case disarm(UUID)
    case contacts(UUID)
    case desk(UUID)
    case callStep(UUID, UUID, GuardDesk.Step)

    var path: String {
        switch self {
        case .mySecurity: "/security"
        case .arm(let h): "/security/households/\(h)/arm"
        case .disarm(let h): "/security/households/\(h)/disarm"
        case .contacts(let h): "/security/households/\(h)/contacts"
        case .desk(let c): "/console/\(c)/security"
        case .callStep(let c, let call, let step): "/console/\(c)/security/calls/\(call)/\(step.rawValue)"
        }
    }
}

enum SecurityPages {
    struct SensorRow: Encodable {
        let name: String
        let kind: String
        let state: String
        let problems: String
    }

    struct HomePanel: Encodable {
        let id: UUID
        let home: String
        let state: String
        let stateKey: String
        let armed: Bool
        let until: String?
        let nextScheduled: String?
        let alarm: String?
        let modes: [ConsolePages.Option]
        let arm: String
        let disarm: String
        let codeSet: Bool
        let sensors: [SensorRow]
        let history: [String]
        let calls: [String]
        let contacts: [EmergencyContactRead]
        let contactsAction: String
        let feed: String
    }

    struct Page: Encodable {
        let homes: [HomePanel]
    }

    struct CallRow: Encodable {
        let id: UUID
        let kind: String
        let kindKey: String
        let urgent: Bool
        let step: String
        let home: String
        let sensor: String
        let raised: String
        let times: String
        let escalated: String?
        let disarmed: Bool
        let people: String
        let next: String?
        let nextLabel: String?
        let resolve: String?
        let outcomes: [ConsolePages.Option]
    }

    struct DeskPage: Encodable {
        let header: ConsolePages.Header
        let calls: [CallRow]
        let closed: [CallRow]
        let figures: [String]
        let feed: String
    }

    static func register(_ web: any RoutesBuilder) {
        Web.route(web, .GET, { _, _, _ in SecurityRoute.mySecurity }, authority: .signedIn, mySecurityPage)
        Web.route(web, .POST, { h, _, _ in SecurityRoute.arm(h) }, authority: .resident, postArm)
        Web.route(web, .POST, { h, _, _ in SecurityRoute.disarm(h) }, authority: .resident, postDisarm)
        Web.route(web, .POST, { h, _, _ in SecurityRoute.contacts(h) }, authority: .resident, postContacts)
        Web.route(web, .GET, { c, _, _ in SecurityRoute.desk(c) }, authority: .community { .handleAlarms($0) }, deskPage)
        for step in [GuardDesk.Step.acknowledged, .dispatched, .onSite, .resolved] {
            Web.route(web, .POST, { c, call, _ in SecurityRoute.callStep(c, call, step) }, authority: .community { .handleAlarms($0) }, postCallStep)
        }
    }

    static func row(_ call: GuardCallRead, community: UUID, _ req: Request) -> CallRow {
        let next: GuardDesk.Step? =
            switch call.step {
            case .raised: .acknowledged
            case .acknowledged: .dispatched
            case .dispatched: .onSite
            case .onSite, .resolved: nil
            }
        var times = [req.t("security.step.raised") + " " + ConsolePages.time(call.raisedAt, req)]
        if let at = call.acknowledgedAt { times.append(req.t("security.step.acknowledged") + " " + ConsolePages.time(at, req)) }
        if let at = call.dispatchedAt {
            times.append(
                req.t("security.step.dispatched") + " " + ConsolePages.time(at, req) + (call.guardName.map { " · " + $0 } ?? ""))
        }
        if let at = call.onSiteAt { times.append(req.t("security.step.on_site") + " " + ConsolePages.time(at, req)) }
        if let at = call.resolvedAt {
            times.append(
                req.t("security.step.resolved") + " " + ConsolePages.time(at, req)
                    + (call.outcome.map { " · " + req.t("security.outcome.\($0.rawValue)") } ?? "")
                    + (call.note.map { " · " + $0 } ?? ""))
        }
        let people = (call.members.map { "\($0.name) \($0.phone)" }
            + call.emergencyContacts.map { "\(req.t("security.contact")) \($0.name) \($0.phone)" }).joined(separator: " · ")
        return CallRow(
            id: call.id, kind: req.t("security.kind.\(call.kind.rawValue)"), kindKey: call.kind.rawValue,
            urgent: call.priority == 0, step: req.t("security.step.\(call.step.rawValue)"),
            home: "\(call.building) \(call.room)", sensor: call.sensor ?? "", raised: ConsolePages.time(call.raisedAt, req),
            times: times.joined(separator: " · "),
            escalated: call.escalations > 0 ? req.t("security.escalated", ["n": "\(call.escalations)"]) : nil,
            disarmed: call.disarmedAt != nil, people: people,
            next: next.map { SecurityRoute.callStep(community, call.id, $0).path },
            nextLabel: next.map { req.t("security.do.\($0.rawValue)") },
            resolve: call.step == .raised || call.step == .resolved
                ? nil : SecurityRoute.callStep(community, call.id, .resolved).path,
            outcomes: GuardDesk.Outcome.allCases.map {
                .init(value: $0.rawValue, label: req.t("security.outcome.\($0.rawValue)"))
            })
    }
}
