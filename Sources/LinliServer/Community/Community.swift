import Fluent
import Foundation

/// A residential community (小区). Everything else in Linli belongs to one.
final class Community: Model, @unchecked Sendable {
    static let schema = "communities"

    // managed
    @ID(key: .id) var id: UUID?
    @OptionalField(key: "created_at") var createdAt: Date?
    @OptionalField(key: "updated_at") var updatedAt: Date?

    // data
    @Field(key: "name") var name: String
    @Field(key: "address") var address: String

    init() {}

    init(id: UUID? = nil, name: String, address: String) {
        self.id = id
        self.name = name
        self.address = address
    }
}

/// A building of a community.
final class Building: Model, @unchecked Sendable {
    static let schema = "buildings"

    // managed
    @ID(key: .id) var id: UUID?
    @OptionalField(key: "created_at") var createdAt: Date?

    // data
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "name") var name: String
    @Field(key: "floors") var floors: Int

    init() {}

    init(id: UUID? = nil, communityID: UUID, name: String, floors: Int) {
        self.id = id
        self.communityID = communityID
        self.name = name
        self.floors = floors
    }
}

/// A unit of a building where one household lives (户).
final class Household: Model, @unchecked Sendable {
    static let schema = "households"

    // managed
    @ID(key: .id) var id: UUID?
    @OptionalField(key: "created_at") var createdAt: Date?

    // data
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "building_id") var buildingID: UUID
    @Field(key: "floor") var floor: Int
    @Field(key: "room") var room: String
    @Field(key: "area_m2") var areaM2: Double

    init() {}

    init(id: UUID? = nil, communityID: UUID, buildingID: UUID, floor: Int, room: String, areaM2: Double) {
        self.id = id
        self.communityID = communityID
        self.buildingID = buildingID
        self.floor = floor
        self.room = room
        self.areaM2 = areaM2
    }
}
