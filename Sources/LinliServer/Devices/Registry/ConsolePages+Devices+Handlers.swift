import Fluent
import LinliCore
import Vapor

extension ConsolePages {
    @Sendable static func devicesPage(_ req: Request) async throws -> Response {
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

    @Sendable static func postDevices(_ req: Request) async throws -> Response {
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

    @Sendable static func devicePage(_ req: Request) async throws -> Response {
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

    @Sendable static func postDeviceEdit(_ req: Request) async throws -> Response {
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

    @Sendable static func postDeviceCommand(_ req: Request) async throws -> Response {
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

    @Sendable static func postDeviceToken(_ req: Request) async throws -> Response {
        let (id, device) = try await deviceFor(req, { .manageDevices($0) })
        let token = try await DeviceRegistry.rotateToken(device, by: req)
        return try await req.renderSecret(
            heading: device.name, message: req.t("device.tokenRotated"), secret: token,
            back: DeviceRoute.device(id, try device.requireID()).path)
    }

    @Sendable static func postDeviceToggle(_ req: Request) async throws -> Response {
        let (id, device) = try await deviceFor(req, { .manageDevices($0) })
        try await DeviceRegistry.update(
            device,
            DeviceUpdate(
                type: nil, name: nil, serial: nil, buildingID: nil, householdID: nil, zone: nil, attributes: nil,
                disabled: !device.disabled), by: req)
        req.flash(req.t("console.saved"))
        return req.redirect(to: DeviceRoute.device(id, try device.requireID()).path)
    }

    @Sendable static func postDeviceDelete(_ req: Request) async throws -> Response {
        let (id, device) = try await deviceFor(req, { .manageDevices($0) })
        try await DeviceRegistry.delete(device, by: req)
        req.flash(req.t("device.deleted"))
        return req.redirect(to: DeviceRoute.devices(id).path)
    }
}
