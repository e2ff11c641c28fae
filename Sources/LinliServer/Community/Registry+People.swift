import Fluent
import LinliCore
import Vapor

/// Writes about people: residents, memberships (moving in and out), staff roles.
extension Registry {
    static func validatePerson(
        name: String?, phone: String?, birthYear: Int?, _ v: inout Validation, on req: Request
    ) -> (String?, PhoneNumber?) {
        let name = v.text(name, "name", max: 50)
        var parsed: PhoneNumber?
        if let phone {
            parsed = PhoneNumber(phone)
            if parsed == nil { v.fail("phone", "invalid_phone") }
        }
        v.range(birthYear, "birthYear", 1900...Calendar.chinaYear(req.clock.now()))
        return (name, parsed)
    }

    static func createResident(in community: UUID, _ input: ResidentCreate, on req: Request) async throws
        -> (Person, Membership)
    {
        try req.authorize(.manageRegistry(community))
        var v = Validation()
        let (name, phone) = validatePerson(
            name: input.name, phone: input.phone, birthYear: input.birthYear, &v, on: req)
        try v.check()
        let household = try await Household.find(input.householdID, in: community, on: req.db)
        guard let name, let phone else { throw LinliError(.validationFailed) }
        if try await Person.query(on: req.db).filter(\.$phone == phone.digits).first() != nil {
            throw LinliError(.phoneTaken, ["phone": phone.masked])
        }
        let person = Person(
            name: name, phone: phone.digits, birthYear: input.birthYear, isElderly: input.isElderly ?? false,
            livesAlone: input.livesAlone ?? false, isChild: input.isChild ?? false)
        person.createdIn = community
        let membership = Membership(
            communityID: community, householdID: try household.requireID(), personID: UUID(),
            relation: input.relation, movedIn: input.movedIn?.description ?? req.today)
        try await req.db.writeTransaction { db in
            try await person.create(on: db)
            membership.personID = try person.requireID()
            try await membership.create(on: db)
            try await Audit.record(
                .create, "resident", id: person.id, community: community,
                after: try PersonRead(person), by: req, on: db)
        }
        return (person, membership)
    }

    /// Changes a person's shared facts (name, birth year, flags), only with authority over everything
    /// the person belongs to (`AccessRequest.changePerson`); audited in each of their communities.
    /// Passwords are never set here: only the person changes theirs, or a reset code starts over.
    static func updatePerson(_ person: Person, in community: UUID, _ input: PersonUpdate, on req: Request) async throws
    {
        try req.authorize(.manageRegistry(community))
        if input.password != nil { throw LinliError.invalid("password", "use_password_reset") }
        let ties = try await Credentials.authorizeChange(of: person, on: req)
        let before = try PersonRead(person)
        var v = Validation()
        if let name = v.text(input.name, "name", max: 50, required: false) { person.name = name }
        v.range(input.birthYear, "birthYear", 1900...Calendar.chinaYear(req.clock.now()))
        try v.check()
        if let year = input.birthYear { person.birthYear = year }
        if let flag = input.isElderly { person.isElderly = flag }
        if let flag = input.livesAlone { person.livesAlone = flag }
        if let flag = input.isChild { person.isChild = flag }
        let after = try PersonRead(person)
        guard after != before else { return }
        let personID = try person.requireID()
        try await req.db.writeTransaction { db in
            try await person.save(on: db)
            try await Audit.recordForPerson(
                .update, personID, communities: ties.communities.union([community]), before: before, after: after,
                by: req, on: db)
        }
        req.principalChanged(personID)
    }

    static func addMember(to household: Household, _ input: MemberCreate, on req: Request) async throws -> Membership {
        let community = household.communityID
        try req.authorize(.manageRegistry(community))
        guard let phone = PhoneNumber(input.phone) else { throw LinliError.invalid("phone", "invalid_phone") }
        guard let person = try await Person.query(on: req.db).filter(\.$phone == phone.digits).first() else {
            throw LinliError(.notFound)
        }
        let householdID = try household.requireID()
        let existing = try await Membership.query(on: req.db).filter(\.$householdID == householdID)
            .filter(\.$personID == person.requireID()).all()
        if existing.contains(where: { $0.isCurrent(on: req.today) || $0.movedOut == nil }) {
            throw LinliError(.conflict)
        }
        let membership = Membership(
            communityID: community, householdID: householdID, personID: try person.requireID(),
            relation: input.relation, movedIn: input.movedIn?.description ?? req.today)
        try await req.db.writeTransaction { db in
            try await membership.create(on: db)
            try await Audit.record(
                .create, "membership", id: membership.id, community: community,
                after: try MembershipRead(membership, person: person, today: req.today), by: req, on: db)
        }
        req.principalChanged(membership.personID)
        return membership
    }

    static func updateMembership(_ membership: Membership, _ input: MembershipUpdate, on req: Request) async throws {
        let community = membership.communityID
        try req.authorize(.manageRegistry(community))
        let person = try await Person.find(membership.personID, on: req.db)
        let before = try MembershipRead(membership, person: person, today: req.today)
        if let movedOut = input.movedOut {
            guard movedOut.description >= membership.movedIn else {
                throw LinliError.invalid("movedOut", "before_moved_in")
            }
            membership.movedOut = movedOut.description
        }
        if let relation = input.relation { membership.relation = relation }
        let departures = req.application.departures
        let today = req.today
        let now = req.clock.now()
        try await req.db.writeTransaction { db in
            try await membership.save(on: db)
            try await Audit.record(
                input.movedOut == nil ? .update : .moveOut, "membership", id: membership.id,
                community: community, before: before,
                after: try MembershipRead(membership, person: person, today: today), by: req, on: db)
            // The last one out of the home by today: what the household held is settled to them.
            if input.movedOut != nil, let movedOut = membership.movedOut, movedOut <= today,
                try await Membership.query(on: db).filter(\.$householdID == membership.householdID).all()
                    .allSatisfy({ !$0.isCurrent(on: today) })
            {
                try await departures.run(
                    Vacancy(
                        household: membership.householdID, community: community, lastResident: membership.personID,
                        at: now, day: movedOut),
                    on: db)
            }
            // Moved out by today and with no other home or role here: faces, cards, PINs and codes go.
            if let movedOut = membership.movedOut, movedOut <= today,
                try await !Registry.stillBelongs(membership.personID, to: community, day: today, on: db)
            {
                try await departures.run(
                    Departure(person: membership.personID, community: community, household: membership.householdID, at: now),
                    on: db)
            }
        }
        req.principalChanged(membership.personID)
    }

    static func grantStaff(in community: UUID, _ input: StaffCreate, on req: Request) async throws
        -> (StaffAssignment, Person)
    {
        try req.authorize(.manageStaff(community))
        guard let phone = PhoneNumber(input.phone) else { throw LinliError.invalid("phone", "invalid_phone") }
        var v = Validation()
        let name = v.text(input.name, "name", max: 50, required: false)
        if let password = input.password, !(8...200).contains(password.count) { v.fail("password", "weak_password") }
        let shift = input.shift.flatMap(Shift.init(text:))
        if input.shift != nil, shift == nil { v.fail("shift", "invalid_value") }
        try v.check()
        let found = try await Person.query(on: req.db).filter(\.$phone == phone.digits).first()
        guard found != nil || name != nil else { throw LinliError.invalid("name", "missing_value") }
        let person = found ?? Person(name: name ?? "", phone: phone.digits)
        if found == nil { person.createdIn = community }
        if let id = person.id,
            try await StaffAssignment.scoped(to: community, on: req.db)
                .filter(\.$personID == id).filter(\.$role == input.role).first() != nil
        {
            throw LinliError(.conflict)
        }
        let assignment = StaffAssignment(communityID: community, personID: UUID(), role: input.role)
        assignment.shift = shift
        // Only a person created here gets a first password; an existing one keeps their own.
        if let password = input.password, found == nil {
            person.passwordHash = try await req.password.async.hash(password)
        }
        try await req.db.writeTransaction { db in
            if found == nil { try await person.create(on: db) } else { try await person.save(on: db) }
            assignment.personID = try person.requireID()
            try await assignment.create(on: db)
            try await Audit.record(
                .grant, "staff", id: assignment.id, community: community,
                after: try StaffRead(assignment, person: person), by: req, on: db)
        }
        req.principalChanged(assignment.personID)
        return (assignment, person)
    }

    /// Sets or clears (nil: all day) the hours a staff role is on duty; gates refuse them outside.
    static func setShift(_ assignment: StaffAssignment, _ text: String?, on req: Request) async throws {
        try req.authorize(.manageStaff(assignment.communityID))
        let shift = text.flatMap(Shift.init(text:))
        if text != nil, shift == nil { throw LinliError.invalid("shift", "invalid_value") }
        let person = try await Person.find(assignment.personID, on: req.db)
        let before = try StaffRead(assignment, person: person)
        assignment.shift = shift
        try await req.db.writeTransaction { db in
            try await assignment.save(on: db)
            try await Audit.record(
                .update, "staff", id: assignment.id, community: assignment.communityID, before: before,
                after: try StaffRead(assignment, person: person), by: req, on: db)
        }
    }

    /// Sets the work-order skills of a staff role (automatic assignment prefers specialists).
    static func setSkills(_ assignment: StaffAssignment, _ skills: [String], on req: Request) async throws {
        try req.authorize(.manageStaff(assignment.communityID))
        for skill in skills where !WorkCategory.skills.contains(skill) {
            throw LinliError.invalid("skills", "invalid_value")
        }
        let person = try await Person.find(assignment.personID, on: req.db)
        let before = try StaffRead(assignment, person: person)
        assignment.skills = Set(skills)
        try await req.db.writeTransaction { db in
            try await assignment.save(on: db)
            try await Audit.record(
                .update, "staff", id: assignment.id, community: assignment.communityID, before: before,
                after: try StaffRead(assignment, person: person), by: req, on: db)
        }
    }

    static func revokeStaff(_ assignment: StaffAssignment, on req: Request) async throws {
        try req.authorize(.manageStaff(assignment.communityID))
        let person = try await Person.find(assignment.personID, on: req.db)
        let departures = req.application.departures
        let today = req.today
        let now = req.clock.now()
        try await req.db.writeTransaction { db in
            try await assignment.delete(on: db)
            try await Audit.record(
                .revoke, "staff", id: assignment.id, community: assignment.communityID,
                before: try StaffRead(assignment, person: person), by: req, on: db)
            // A former staff member keeps no open work order of this community.
            try await WorkOrder.query(on: db).filter(\.$communityID == assignment.communityID)
                .filter(\.$assigneeID == assignment.personID).filter(\.$status ~~ [.submitted, .accepted, .onTheWay])
                .set(\.$assigneeID, to: nil).set(\.$status, to: .submitted).update()
            if try await !Registry.stillBelongs(assignment.personID, to: assignment.communityID, day: today, on: db) {
                try await departures.run(
                    Departure(person: assignment.personID, community: assignment.communityID, household: nil, at: now),
                    on: db)
            }
        }
        req.principalChanged(assignment.personID)
        req.application.events.publish(WorkOrdersChanged(community: assignment.communityID))
    }
}
