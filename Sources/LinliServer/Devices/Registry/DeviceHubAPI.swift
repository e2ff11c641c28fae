import Fluent
import FluentSQL
import LinliCore
import Vapor

extension Sorting {
    static let devices = Sorting(keys: ["name", "type", "created_at"], defaultSort: "name")
    static let alarms = Sorting(keys: ["started_at", "updated_at", "severity", "type"], defaultSort: "-started_at")
    static let commands = Sorting(keys: ["id", "created_at", "status"], defaultSort: "-id")
    static let rules = Sorting(keys: ["name", "created_at"], defaultSort: "name")
    static let tasks = Sorting(keys: ["created_at", "status"], defaultSort: "-created_at")
    /// The catalogue's own order.
    static let deviceTypes = Sorting(keys: ["type"], defaultSort: "type")
}

/// `/api/v1/communities/{communityID}/devices|rules|alarms|commands|tasks|...`: operators' side of the hub.
enum DeviceHubAPI {
    static let c = RegistryAPI.c
    static let d = c + "/devices/{deviceID}"

    static func communityID(_ req: Request, _ access: (UUID) -> AccessRequest) async throws -> UUID {
        try await RegistryAPI.communityID(req, access)
    }

    /// The path's device, in the community the endpoint's authority resolved.
    static func device(_ req: Request) async throws -> Device {
        try await Device.find(try req.id("deviceID"), in: try req.scope.communityID(), on: req.db)
    }

    static func reads(_ devices: [Device], on req: Request) async throws -> [DeviceRead] {
        guard let community = devices.first?.communityID else { return [] }
        let status = try await DeviceHealth.status(community: community, on: req.db)
        let now = req.clock.now()
        return try devices.map { try DeviceRead($0, lastSeen: status[$0.id!]?.last, now: now) }
    }

    static func register(_ app: Application, _ api: any RoutesBuilder) {
        api.register(
            .init(
                method: .GET, path: "/api/v1/device-types", operationID: "listDeviceTypes",
                summary: "The device catalogue: telemetry keys, units, commands", tag: "devices", authority: .signedIn,
                response: Schema.page(of: "DeviceType"), query: Endpoint.listQuery(.deviceTypes)), in: app, listDeviceTypes)
        registerDevices(app, api)
        registerTelemetryAndCommands(app, api)
        registerRulesAlarmsTasks(app, api)
    }

    static func registerDevices(_ app: Application, _ api: any RoutesBuilder) {
        api.register(
            .init(
                method: .GET, path: c + "/devices", operationID: "listDevices", summary: "Devices of a community",
                tag: "devices", authority: .community { .viewDevices($0) }, response: Schema.page(of: "Device"),
                query: Endpoint.listQuery(.devices) + [.init(name: "type", schema: Schema.string(max: 40))]), in: app, listDevices)
        api.register(
            .init(
                method: .POST, path: c + "/devices", operationID: "createDevice",
                summary: "Add a device; the answer holds its access token, shown only once", tag: "devices", authority: .community { .manageDevices($0) },
                body: Schema.ref("DeviceCreate"), status: .created, response: Schema.ref("DeviceCredentials")), in: app, createDevice)
        api.register(
            .init(
                method: .POST, path: c + "/devices/import", operationID: "importDevices",
                summary: "Add devices from CSV (type,name,serial,building,room,zone): all rows or none", tag: "devices", authority: .community { .manageDevices($0) },
                body: Schema.string(), bodyContentType: "text/csv", maxBody: "2mb", status: .created,
                response: Schema.array(Schema.ref("ImportedDevice"))), in: app, importDevices)
        api.register(
            .init(
                method: .GET, path: d, operationID: "getDevice", summary: "One device", tag: "devices", authority: .community { .viewDevices($0) },
                response: Schema.ref("Device")), in: app, getDevice)
        api.register(
            .init(
                method: .PATCH, path: d, operationID: "updateDevice", summary: "Change, disable or enable a device",
                tag: "devices", authority: .community { .manageDevices($0) }, body: Schema.ref("DeviceUpdate"), response: Schema.ref("Device")), in: app, updateDevice)
        api.register(
            .init(
                method: .DELETE, path: d, operationID: "deleteDevice", summary: "Remove a device and its data",
                tag: "devices", authority: .community { .manageDevices($0) }, status: .noContent), in: app, deleteDevice)
        api.register(
            .init(
                method: .POST, path: d + "/token", operationID: "rotateDeviceToken",
                summary: "Issue a new access token (the old one stops working)", tag: "devices", authority: .community { .manageDevices($0) },
                response: Schema.ref("DeviceCredentials")), in: app, rotateDeviceToken)
        api.register(
            .init(
                method: .POST, path: d + "/shared-attributes", operationID: "setSharedAttributes",
                summary: "Set shared attributes (null removes one); a device waiting on attributes/updates gets them",
                tag: "devices", authority: .community { .sendCommands($0) }, body: Schema.ref("AttributeValues"), response: Schema.ref("Device")), in: app, setSharedAttributes)
        api.register(
            .init(
                method: .GET, path: c + "/provisioning", operationID: "getProvisioning",
                summary: "The community's provisioning key (the secret is never shown)", tag: "devices", authority: .community { .manageDevices($0) },
                response: Schema.ref("Provisioning")), in: app, getProvisioning)
        api.register(
            .init(
                method: .PUT, path: c + "/provisioning", operationID: "setProvisioning",
                summary: "Enable or disable provisioning; set its key, secret and default device type", tag: "devices", authority: .community { .manageDevices($0) },
                body: Schema.ref("ProvisioningUpdate"), response: Schema.ref("Provisioning")), in: app, setProvisioning)
        api.register(
            .init(
                method: .GET, path: c + "/device-health", operationID: "getDeviceHealth",
                summary: "Online rate, devices offline longest, never used, low battery", tag: "devices", authority: .community { .viewDevices($0) },
                response: Schema.ref("DeviceHealth")), in: app, getDeviceHealth)
    }

}

extension Request {
    /// An integer query parameter; a malformed one is a 400 naming it.
    func int64Query(_ name: String) throws -> Int64? {
        guard let text = query[String.self, at: name] else { return nil }
        guard let value = Int64(text) else {
            throw LinliError(
                .invalidListQuery, ["field": name], issues: [FieldIssue(field: name, reason: "wrong_type")])
        }
        return value
    }
}
