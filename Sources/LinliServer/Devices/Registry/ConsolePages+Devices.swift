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
        let formatter = DateFormatter()
        formatter.timeZone = Calendar.china.timeZone
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: date)
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
        Web.route(web, .GET, { c, _, _ in DeviceRoute.devices(c) }) { req in
            let header = try await deviceHeader(req, current: "devices")
            let id = header.id
            let options = try req.listOptions(.devices)
            var query = Device.scoped(to: id, on: req.db)
            if let q = options.query { query = query.group(.or) { $0.filter(\.$name ~~ q).filter(\.$serial ~~ q) } }
            let page = try await query.page(options, map: { $0 })
            let reads = try await DeviceHubAPI.reads(page.items, on: req)
            let buildings = try await Building.scoped(to: id, on: req.db).sort(\.$name).all()
            let households = try await Household.byID(page.items.compactMap(\.householdID), on: req.db)
            let byBuilding = Building.byID(buildings)
            let rows = zip(page.items, reads).map { device, read in
                Row(
                    cells: [
                        device.name, req.t("device.type.\(device.type)"),
                        place(device, buildings: byBuilding, households: households),
                        statusText(read, req),
                        time(read.lastSeen, req),
                    ], href: DeviceRoute.device(id, read.id).path, action: nil, actionLabel: nil)
            }
            let canManage = req.can(.manageDevices(id))
            return try await req.render(
                "devices/devices", title: req.t("console.tab.devices"),
                ListPage(
                    header: header, heading: req.t("console.tab.devices"),
                    columns: [
                        req.t("field.name"), req.t("field.type"), req.t("device.place"), req.t("device.status"),
                        req.t("device.lastSeen"),
                    ],
                    rows: rows, pager: pager(page.metadata, req), query: options.query ?? "", searchable: true,
                    form: canManage ? "device" : nil,
                    buildings: buildings.map { Option(value: $0.id?.uuidString ?? "", label: $0.name) }, households: [],
                    extra: [:],
                    types: DeviceCatalog.all.map { Option(value: $0.key, label: req.t("device.type.\($0.key)")) }))
        }
        Web.route(web, .POST, { c, _, _ in DeviceRoute.devices(c) }) { req in
            let id = try req.id("communityID")
            try req.authorize(.manageDevices(id))
            let form = try req.content.decode(DeviceForm.self)
            let (building, household) = try await placeOf(form, in: id, on: req)
            let (device, token) = try await DeviceRegistry.create(
                in: id,
                DeviceCreate(
                    type: form.type ?? "", name: form.name ?? "", serial: form.serial?.nilIfEmpty, buildingID: building,
                    householdID: household, zone: form.zone?.nilIfEmpty, attributes: nil, sharedAttributes: nil),
                by: req)
            return try await req.renderSecret(
                heading: device.name, message: req.t("device.created"), secret: token,
                back: DeviceRoute.device(id, try device.requireID()).path)
        }
        Web.route(web, .GET, { c, d, _ in DeviceRoute.device(c, d) }) { req in
            let header = try await deviceHeader(req, current: "devices")
            let id = header.id
            let device = try await Device.find(try req.id("deviceID"), in: id, on: req.db)
            let deviceID = try device.requireID()
            let read = try await DeviceHubAPI.reads([device], on: req)[0]
            let buildings = try await Building.byID(device.buildingID.map { [$0] } ?? [], on: req.db)
            let households = try await Household.byID(device.householdID.map { [$0] } ?? [], on: req.db)
            let type = DeviceCatalog.type(device.type)
            let latest = try await TelemetryStore.latest(deviceID, on: req.db).map { value in
                let unit = type?.keys[value.key]?.unit?.symbol
                let text: String =
                    switch value.value {
                    case .number(let n): TelemetryDisplay.number(n) + (unit.map { " " + $0 } ?? "")
                    case .bool(let b): req.t(b ? "value.true" : "value.false")
                    case .string(let s): s
                    default: value.value.text
                    }
                return LatestRow(
                    key: value.key, value: text, time: time(Date(timeIntervalSince1970: Double(value.ts) / 1000), req))
            }
            let commands = try await DeviceCommand.query(on: req.db).filter(\.$deviceID == deviceID).sort(
                \.$id, .descending
            )
            .limit(20).all().map { command in
                CommandRow(
                    id: command.id ?? 0, method: command.method,
                    status: req.t("command.status.\(command.status.rawValue)"),
                    created: time(command.createdAt, req), response: command.response ?? "")
            }
            let alarms = try await Alarm.query(on: req.db).filter(\.$deviceID == deviceID).sort(
                \.$startedAt, .descending
            )
            .limit(20).all()
            let status = statusText(read, req)
            return try await req.render(
                "devices/device", title: device.name,
                DevicePage(
                    header: header, device: read, typeName: req.t("device.type.\(device.type)"),
                    place: place(device, buildings: buildings, households: households), status: status,
                    lastSeen: time(read.lastSeen, req), latest: latest, commands: commands,
                    alarms: try alarms.map { try alarmRow($0, deviceName: device.name, community: id, req) },
                    methods: (type?.commands ?? []).map {
                        Option(value: $0.method, label: req.t("command.\($0.method)"))
                    },
                    canManage: req.can(.manageDevices(id)), canCommand: req.can(.sendCommands(id)),
                    actions: [
                        "edit": DeviceRoute.deviceEdit(id, deviceID).path,
                        "command": DeviceRoute.deviceCommand(id, deviceID).path,
                        "token": DeviceRoute.deviceToken(id, deviceID).path,
                        "toggle": DeviceRoute.deviceToggle(id, deviceID).path,
                        "delete": DeviceRoute.deviceDelete(id, deviceID).path,
                    ],
                    attributes: JSON.object(DeviceAttributes.object(device.attributes)).text))
        }
        Web.route(web, .POST, { c, d, _ in DeviceRoute.deviceEdit(c, d) }) { req in
            let (id, device) = try await deviceFor(req, { .manageDevices($0) })
            let form = try req.content.decode(DeviceForm.self)
            try await DeviceRegistry.update(
                device,
                DeviceUpdate(
                    type: nil, name: form.name?.nilIfEmpty, serial: form.serial, buildingID: nil, householdID: nil,
                    zone: form.zone, attributes: nil, disabled: nil), by: req)
            req.flash(req.t("console.saved"))
            return req.redirect(to: DeviceRoute.device(id, try device.requireID()).path)
        }
        Web.route(web, .POST, { c, d, _ in DeviceRoute.deviceCommand(c, d) }) { req in
            let (id, device) = try await deviceFor(req, { .sendCommands($0) })
            let form = try req.content.decode(CommandForm.self)
            var params: JSON = .object([:])
            if let text = form.params?.nilIfEmpty {
                guard let parsed = JSON.parse(text) else { throw LinliError.invalid("params", "malformed_json") }
                params = parsed
            }
            _ = try await DeviceRegistry.sendCommand(
                to: device,
                CommandCreate(
                    method: form.method, params: params, twoWay: nil, expiresInSeconds: nil, maxRetries: nil,
                    replyTimeoutSeconds: nil),
                by: req)
            req.flash(req.t("device.commandQueued"))
            return req.redirect(to: DeviceRoute.device(id, try device.requireID()).path)
        }
        Web.route(web, .POST, { c, d, _ in DeviceRoute.deviceToken(c, d) }) { req in
            let (id, device) = try await deviceFor(req, { .manageDevices($0) })
            let token = try await DeviceRegistry.rotateToken(device, by: req)
            return try await req.renderSecret(
                heading: device.name, message: req.t("device.tokenRotated"), secret: token,
                back: DeviceRoute.device(id, try device.requireID()).path)
        }
        Web.route(web, .POST, { c, d, _ in DeviceRoute.deviceToggle(c, d) }) { req in
            let (id, device) = try await deviceFor(req, { .manageDevices($0) })
            try await DeviceRegistry.update(
                device,
                DeviceUpdate(
                    type: nil, name: nil, serial: nil, buildingID: nil, householdID: nil, zone: nil, attributes: nil,
                    disabled: !device.disabled), by: req)
            req.flash(req.t("console.saved"))
            return req.redirect(to: DeviceRoute.device(id, try device.requireID()).path)
        }
        Web.route(web, .POST, { c, d, _ in DeviceRoute.deviceDelete(c, d) }) { req in
            let (id, device) = try await deviceFor(req, { .manageDevices($0) })
            try await DeviceRegistry.delete(device, by: req)
            req.flash(req.t("device.deleted"))
            return req.redirect(to: DeviceRoute.devices(id).path)
        }
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
