import Foundation
import LinliCore
import Vapor

struct ProvisioningRead: Content {
    let enabled: Bool
    let key: String?
    let defaultType: String
    /// How many devices provisioning may create in the community, in all.
    let maxDevices: Int

    init(enabled: Bool, key: String?, defaultType: String, maxDevices: Int = DeviceProvisioning.defaultCap) {
        self.enabled = enabled
        self.key = key
        self.defaultType = defaultType
        self.maxDevices = maxDevices
    }

    init(_ row: DeviceProvisioning) {
        self.init(enabled: row.enabled, key: row.key, defaultType: row.defaultType, maxDevices: row.maxDevices)
    }
}

struct ProvisioningUpdate: Decodable {
    let enabled: Bool
    let key: String?
    let secret: String?
    let defaultType: String?
    let maxDevices: Int?
}
