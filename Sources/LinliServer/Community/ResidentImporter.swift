import Fluent
import LinliCore
import Vapor

/// Imports residents from CSV: all rows or none. Every bad row is reported with its line and reason.
enum ResidentImporter {
    static func run(_ text: String, in community: UUID, on req: Request) async throws -> ImportResult {
        try req.authorize(.manageRegistry(community))
        let rows: [ResidentImport.Row]
        switch ResidentImport.parse(text, currentYear: Calendar.chinaYear(req.clock.now())) {
        case .success(let parsed): rows = parsed
        case .failure(let list): throw rejection(list.issues)
        }
        let buildings = try await Building.scoped(to: community, on: req.db).all()
        let households = try await Household.scoped(to: community, on: req.db).all()
        var buildingByName: [String: UUID] = [:]
        for building in buildings { buildingByName[normalise(building.name)] = building.id }
        var householdByPlace: [String: Household] = [:]
        for household in households { householdByPlace["\(household.buildingID)|\(household.room)"] = household }

        var known: [String: Person] = [:]
        let phones = rows.map(\.phone.digits)
        for chunk in stride(from: 0, to: phones.count, by: 500).map({ Array(phones[$0..<min($0 + 500, phones.count)]) })
        {
            for person in try await Person.query(on: req.db).filter(\.$phone ~~ chunk).all() {
                known[person.phone] = person
            }
        }
        let knownIDs = known.values.compactMap(\.id)
        var currentPlaces = Set<String>()
        if !knownIDs.isEmpty {
            for membership in try await Membership.scoped(to: community, on: req.db).filter(\.$personID ~~ knownIDs)
                .all()
            where membership.movedOut == nil {
                currentPlaces.insert("\(membership.personID)|\(membership.householdID)")
            }
        }

        var issues: [ResidentImport.Issue] = []
        var people: [Person] = []
        var memberships: [Membership] = []
        for row in rows {
            guard let buildingID = buildingByName[normalise(row.building)],
                let household = householdByPlace["\(buildingID)|\(row.room)"], let householdID = household.id
            else {
                issues.append(
                    .init(
                        line: row.line, column: "room", reason: .unknownHousehold, value: "\(row.building) \(row.room)")
                )
                continue
            }
            let person: Person
            if let existing = known[row.phone.digits] {
                guard existing.name == row.name else {
                    issues.append(.init(line: row.line, column: "phone", reason: .phoneBelongsToOther))
                    continue
                }
                if let id = existing.id, currentPlaces.contains("\(id)|\(householdID)") {
                    issues.append(.init(line: row.line, column: "phone", reason: .alreadyMember))
                    continue
                }
                person = existing
            } else {
                person = Person(
                    id: UUID(), name: row.name, phone: row.phone.digits, birthYear: row.birthYear,
                    isElderly: row.isElderly, livesAlone: row.livesAlone, isChild: row.isChild)
                person.createdIn = community
                people.append(person)
            }
            memberships.append(
                Membership(
                    id: UUID(), communityID: community, householdID: householdID, personID: person.id ?? UUID(),
                    relation: row.relation, movedIn: row.movedIn?.description ?? req.today))
        }
        guard issues.isEmpty else { throw rejection(issues) }

        let result = ImportResult(created: memberships.count, people: people.count)
        let newPeople = people
        let newMemberships = memberships
        try await req.db.writeTransaction { db in
            for chunk in stride(from: 0, to: newPeople.count, by: 1000) {
                try await Array(newPeople[chunk..<min(chunk + 1000, newPeople.count)]).create(on: db)
            }
            for chunk in stride(from: 0, to: newMemberships.count, by: 1000) {
                try await Array(newMemberships[chunk..<min(chunk + 1000, newMemberships.count)]).create(on: db)
            }
            try await Audit.record(.import, "resident", id: nil, community: community, after: result, by: req, on: db)
        }
        // People already known may have a new home.
        req.application.events.publish(PeopleChanged())
        return result
    }

    /// `1栋`, `1号楼` and `1` name the same building.
    static func normalise(_ name: String) -> String {
        var text = name.trimmingSpaces.lowercased()
        for suffix in ["号楼", "栋", "幢", "楼", "号"] where text.hasSuffix(suffix) {
            text.removeLast(suffix.count)
            break
        }
        return text
    }

    static func rejection(_ issues: [ResidentImport.Issue]) -> LinliError {
        LinliError(
            .importRejected, ["count": "\(issues.count)"],
            issues: issues.prefix(500).map {
                FieldIssue(field: $0.column, line: $0.line, reason: "import.\($0.reason.rawValue)")
            })
    }
}
