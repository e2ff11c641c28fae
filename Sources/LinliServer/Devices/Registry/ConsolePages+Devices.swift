import Fluent
import LinliCore
import Vapor

extension ConsolePages {
    struct LatestRow: Encodable {
        let key: String
        let value: String
        let time: String
    }

    struct CommandRow: Encodable {
        let id: Int
        let method: String
        let status: String
        let created: String
        let response: String
    }

    struct DevicePage: Encodable {
        let header: Header
        let device: DeviceRead
        let typeName: String
        let place: String
        let status: String
        let lastSeen: String
        let latest: [LatestRow]
        let commands: [CommandRow]
        let alarms: [AlarmRow]
        let methods: [Option]
        let canManage: Bool
        let canCommand: Bool
        let actions: [String: String]
        let attributes: String
    }

    struct DeviceForm: Content {
        var type: String?
        var name: String?
        var serial: String?
        var buildingID: String?
        var room: String?
        var zone: String?
    }

    struct CommandForm: Content {
        var method: String
        var params: String?
    }

    static func time(_ date: Date?, _ req: Request) -> String {
        guard let date else { return req.t("device.never") }
        return Calendar.chinaMinute(date)
    }

    static func place(_ device: Device, buildings: [UUID: Building], households: [UUID: Household]) -> String {
        var parts: [String] = []
        if let building = device.buildingID.flatMap({ buildings[$0] }) { parts.append(building.name) }
        if let household = device.householdID.flatMap({ households[$0] }) { parts.append(household.room) }
        if let zone = device.zone { parts.append(zone) }
        return parts.joined(separator: " ")
    }

    /// Disabled, online, never seen or offline, in the request's language.
    static func statusText(_ read: DeviceRead, _ req: Request) -> String {
        if read.disabled { return req.t("device.disabled") }
        if read.online { return req.t("device.online") }
        return req.t(read.lastSeen == nil ? "device.neverSeen" : "device.offline")
    }

    static func deviceHeader(_ req: Request, current: String) async throws -> Header {
        let header = try await header(req, current: current)
        try req.authorize(.viewDevices(header.id))
        return header
    }

    static func registerDevices(_ web: any RoutesBuilder) {
        Web.route(web, .GET, { c, _, _ in DeviceRoute.devices(c) }, authority: .community { .viewDevices($0) }, devicesPage)
        Web.route(web, .POST, { c, _, _ in DeviceRoute.devices(c) }, authority: .community { .manageDevices($0) }, postDevices)
        Web.route(web, .GET, { c, d, _ in DeviceRoute.device(c, d) }, authority: .community { .viewDevices($0) }, devicePage)
        Web.route(web, .POST, { c, d, _ in DeviceRoute.deviceEdit(c, d) }, authority: .community { .viewRegistry($0) }, postDeviceEdit)
        Web.route(web, .POST, { c, d, _ in DeviceRoute.deviceCommand(c, d) }, authority: .community { .viewRegistry($0) }, postDeviceCommand)
        Web.route(web, .POST, { c, d, _ in DeviceRoute.deviceToken(c, d) }, authority: .community { .viewRegistry($0) }, postDeviceToken)
        Web.route(web, .POST, { c, d, _ in DeviceRoute.deviceToggle(c, d) }, authority: .community { .viewRegistry($0) }, postDeviceToggle)
        Web.route(web, .POST, { c, d, _ in DeviceRoute.deviceDelete(c, d) }, authority: .community { .viewRegistry($0) }, postDeviceDelete)
    }

    /// The community and device of a console post, after checking the write is allowed.
    static func deviceFor(_ req: Request, _ access: (UUID) -> AccessRequest) async throws -> (UUID, Device) {
        let id = try req.id("communityID")
        try req.authorize(access(id))
        return (id, try await Device.find(try req.id("deviceID"), in: id, on: req.db))
    }

    static func placeOf(_ form: DeviceForm, in community: UUID, on req: Request) async throws -> (UUID?, UUID?) {
        guard let text = form.buildingID?.nilIfEmpty else { return (nil, nil) }
        guard let building = UUID(uuidString: text) else { throw LinliError.invalid("buildingID", "invalid_value") }
        guard let room = form.room?.nilIfEmpty else { return (building, nil) }
        guard
            let household = try await Household.scoped(to: community, on: req.db).filter(\.$buildingID == building)
                .filter(\.$room == room).first()
        else { throw LinliError.invalid("room", "import.unknown_household") }
        return (building, household.id)
    }
}
