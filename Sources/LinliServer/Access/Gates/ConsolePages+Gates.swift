import Fluent
import LinliCore
import Vapor

extension ConsolePages {
    struct DecisionRow: Encodable {
        let time: String
        let gate: String
        let method: String
        let person: String
        let result: String
        let allow: Bool
    }

    struct VisitorRow: Encodable {
        let name: String
        let home: String
        let window: String
        let entries: String
    }

    struct DenyRow: Encodable {
        let name: String
        let reason: String
        let since: String
        let remove: String
    }

    struct TerminalRow: Encodable {
        let name: String
        let href: String
        let status: String
        let online: Bool
        let lastSeen: String
    }

    struct GateRow: Encodable {
        let id: String
        let name: String
        let kind: String
        let terminals: [TerminalRow]
    }

    struct Choice: Encodable {
        let value: String
        let label: String
        let selected: Bool
    }

    struct GatesPage: Encodable {
        let header: Header
        let decisions: [DecisionRow]
        let visitors: [VisitorRow]
        let denied: [DenyRow]
        let gates: [GateRow]
        let feed: String
        let export: String
        let canDeny: Bool
        let denyAction: String
        let filtered: Bool
        let from: String
        let to: String
        let gateChoices: [Choice]
        let methodChoices: [Choice]
        let resultChoices: [Choice]
    }

    struct FaceLogRow: Encodable {
        let time: String
        let action: String
        let person: String
        let actor: String
        let vectors: Int
    }

    struct FaceDataPage: Encodable {
        let header: Header
        let data: FaceDataRead
        let share: String
        let log: [FaceLogRow]
        let pager: Pager
    }

    struct DenyForm: Content {
        var phone: String
        var reason: String
    }

    static func registerGates(_ web: any RoutesBuilder) {
        Web.route(web, .GET, { c, _, _ in AccessRoute.gates(c) }, authority: .community { .viewDevices($0) }, gatesPage)
        Web.route(web, .POST, { c, p, _ in AccessRoute.denyRemove(c, p) }, authority: .community { .viewRegistry($0) }, postDenyRemove)
        Web.route(web, .GET, { c, _, _ in AccessRoute.faceData(c) }, authority: .community { .manageDevices($0) }, faceDataPage)
        Web.route(web, .POST, { c, _, _ in AccessRoute.denyList(c) }, authority: .community { .handleAlarms($0) }, postDenyList)
        Web.route(web, .GET, { c, _, _ in AccessRoute.accessLog(c) }, authority: .community { .viewDevices($0) }, accessLogPage)
    }
}
