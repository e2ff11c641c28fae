import Fluent
import Foundation
import LinliCore

struct AddProvisioningDeviceCap: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(DeviceProvisioning.schema)
            .field("max_devices", .int, .required, .sql(.default(DeviceProvisioning.defaultCap))).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(DeviceProvisioning.schema).deleteField("max_devices").update()
    }
}
