import Fluent
import Foundation
import LinliCore
import Vapor

/// ThingsBoard-style provisioning: a device registers itself with its community's key and secret.
enum Provisioning {
    struct ProvisionRequest: Decodable {
        let deviceName: String?
        let provisionDeviceKey: String
        let provisionDeviceSecret: String
        let deviceType: String?
        let credentialsType: String?
        let token: String?
    }

    struct Answer: Content {
        let status: String
        let credentialsType: String
        let credentialsValue: String
    }

    /// Wrong secrets are throttled per provisioning key and per source address; a proposed token must
    /// be long and varied enough; a taken token, a full community or a wrong secret all get the same
    /// 401, so the endpoint tells a guesser nothing.
    static func provision(_ req: Request) async throws -> Answer {
        let input = try req.decode(ProvisionRequest.self)
        if let type = input.credentialsType, type != "ACCESS_TOKEN" {
            throw LinliError.invalid("credentialsType", "invalid_value")
        }
        if let chosen = input.token, !TokenStrength.isStrongEnough(chosen) {
            throw LinliError.invalid("token", "weak_token")
        }
        guard input.provisionDeviceKey.utf8.count <= 128, input.provisionDeviceSecret.utf8.count <= 256 else {
            throw LinliError(.provisionDenied)
        }
        var keys = [("provision-key:" + input.provisionDeviceKey, keyThrottle)]
        if let address = req.remoteAddress?.ipAddress { keys.append(("provision-ip:" + address, addressThrottle)) }
        var token = ""
        try await AttemptThrottle.guarded(keys, failure: LinliError(.provisionDenied), on: req) {
            guard
                let row = try await DeviceProvisioning.query(on: req.db)
                    .filter(\.$key == input.provisionDeviceKey).first(),
                row.enabled, row.secretHash == Secret.hash(input.provisionDeviceSecret)
            else { return false }
            let made = try await Device.query(on: req.db).filter(\.$communityID == row.communityID)
                .filter(\.$provisioned == true).count()
            guard made < row.maxDevices else { return false }
            let name = input.deviceName ?? "device-" + Secret.alphanumeric(8).lowercased()
            do {
                (_, token) = try await DeviceRegistry.create(
                    in: row.communityID,
                    DeviceCreate(
                        type: input.deviceType ?? row.defaultType, name: name, serial: nil, buildingID: nil,
                        householdID: nil, zone: nil, attributes: nil, sharedAttributes: nil), provisioned: true,
                    token: input.token, by: req)
            } catch let error as LinliError where error.code == .conflict && input.token != nil {
                return false
            }
            return true
        }
        return Answer(status: "SUCCESS", credentialsType: "ACCESS_TOKEN", credentialsValue: token)
    }

    static let keyThrottle = LoginThrottle()
    static let addressThrottle: LoginThrottle = {
        var throttle = LoginThrottle()
        throttle.slowAfter = 10
        throttle.lockAfter = 30
        return throttle
    }()
}
