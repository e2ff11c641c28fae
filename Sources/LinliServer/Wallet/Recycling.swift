import Fluent
import Foundation
import LinliCore
import SQLKit
import Vapor

struct RecyclingSignInInput: Content {
    let phone: String?
    let pin: String?
    /// Or the resident's access card, for people without a smartphone or who forget the PIN.
    let card: String?

    init(phone: String?, pin: String?, card: String? = nil) {
        self.phone = phone
        self.pin = pin
        self.card = card
    }
}

struct RecyclingBoxPrice: Content, Equatable {
    let box: String
    /// 0: taken but not paid for.
    let pricePerKgFen: Int64
}

struct RecyclingSessionRead: Content, Equatable {
    let sessionID: UUID
    /// 李*英: enough for the resident to see it is them, nothing for the one behind them.
    let maskedName: String
    let expiresAt: Date
    let prices: [RecyclingBoxPrice]
}

struct WeighingInput: Content {
    let sessionID: UUID?
    let eventId: String?
    let box: String?
    let grossGrams: Int64?
    let tareGrams: Int64?
    let netGrams: Int64?
    let scaleID: String?
}

struct WeighingRead: Content, Equatable {
    let creditedFen: Int64
    let balanceFen: Int64
}

/// The recycling bins' side: a resident signs in at a bin with phone number and PIN, sees the day's
/// prices, and each weighing the bin reports credits the household's wallet once — by the bin's
/// event id, in the transaction that records it.
enum Recycling {
    /// How long a sign-in at a bin lasts.
    static let sessionLength: TimeInterval = 5 * 60

    /// The bin of the request (its device token as bearer); any other device gets 403.
    static func bin(_ req: Request) async throws -> DeviceRef {
        let device = try await AccessService.device(req)
        guard device.type == "recycling_bin" else { throw LinliError(.notATerminal) }
        return device
    }

    /// Phone and PIN: 401 when either is wrong (which one is not said), 429 after three wrong tries
    /// for one phone in 15 minutes, and after 20 wrong tries at one bin (someone going through numbers).
    static func signIn(_ input: RecyclingSignInInput, at bin: DeviceRef, on req: Request) async throws
        -> RecyclingSessionRead
    {
        if let card = input.card, input.phone == nil, input.pin == nil {
            return try await signIn(card: card, at: bin, on: req)
        }
        var v = Validation()
        let phone = input.phone.flatMap(PhoneNumber.init)
        if phone == nil { v.fail("phone", "invalid_phone") }
        if !(input.pin.map(validPIN) ?? false) { v.fail("pin", "invalid_pin") }
        try v.check()
        guard let phone, let pin = input.pin else { throw LinliError.invalid("phone", "invalid_phone") }
        var perPhone = LoginThrottle()
        perPhone.slowAfter = 2
        perPhone.lockAfter = 3
        var perBin = LoginThrottle()
        perBin.slowAfter = 10
        perBin.lockAfter = 20
        let community = bin.communityID
        var found: (Person, UUID)?
        try await AttemptThrottle.guarded(
            [("recycling:\(community):\(phone.digits)", perPhone), ("recycling-bin:\(bin.id)", perBin)],
            failure: LinliError(.invalidCredentials), on: req
        ) {
            guard let person = try await Person.query(on: req.db).filter(\.$phone == phone.digits).first(),
                let personID = person.id,
                let stored = try await RecyclingPin.query(on: req.db).filter(\.$personID == personID).first()
            else { return false }
            guard stored.failedAttempts < pinLockAfter else { throw LinliError(.pinLocked) }
            guard try await checkPIN(pin, against: stored, on: req),
                let household = try await home(of: personID, in: community, on: req.db)
            else { return false }
            found = (person, household)
            return true
        }
        guard let (person, household) = found else { throw LinliError(.invalidCredentials) }
        return try await open(person, household, at: bin, on: req)
    }

    /// A card held to the bin: an unknown card is 401 like a wrong PIN, and the bin's own throttle
    /// counts the tries (someone going through card numbers).
    static func signIn(card: String, at bin: DeviceRef, on req: Request) async throws -> RecyclingSessionRead {
        guard !card.isEmpty, card.count <= 128 else { throw LinliError.invalid("card", "invalid_value") }
        var perBin = LoginThrottle()
        perBin.slowAfter = 10
        perBin.lockAfter = 20
        let community = bin.communityID
        var found: (Person, UUID)?
        try await AttemptThrottle.guarded(
            [("recycling-bin:\(bin.id)", perBin)], failure: LinliError(.invalidCredentials), on: req
        ) {
            guard let personID = try await req.application.cardHolders.holder(of: card, in: community, on: req.db),
                let person = try await Person.find(personID, on: req.db),
                let household = try await home(of: personID, in: community, on: req.db)
            else { return false }
            found = (person, household)
            return true
        }
        guard let (person, household) = found else { throw LinliError(.invalidCredentials) }
        return try await open(person, household, at: bin, on: req)
    }

    /// The session of a person signed in at the bin, with today's prices.
    static func open(_ person: Person, _ household: UUID, at bin: DeviceRef, on req: Request) async throws
        -> RecyclingSessionRead
    {
        guard let personID = person.id else { throw LinliError(.invalidCredentials) }
        let community = bin.communityID
        let now = req.clock.now()
        let session = RecyclingSession()
        session.id = UUID()
        session.communityID = community
        session.deviceID = bin.id
        session.personID = personID
        session.householdID = household
        session.createdAt = now
        session.expiresAt = now.addingTimeInterval(sessionLength)
        try await session.create(on: req.db)
        return RecyclingSessionRead(
            sessionID: try session.requireID(), maskedName: MaskedName.of(person.name), expiresAt: session.expiresAt,
            prices: try await prices(community, at: now, on: req.db))
    }

    /// The household the person lives in, in the bin's community (an owner's home first).
    static func home(of person: UUID, in community: UUID, on db: any Database) async throws -> UUID? {
        let homes = try await Membership.query(on: db).filter(\.$personID == person)
            .filter(\.$communityID == community).filter(\.$movedOut == nil).all()
        return (homes.first { $0.relation == .owner } ?? homes.first)?.householdID
    }

    static func validPIN(_ pin: String) -> Bool { (4...6).contains(pin.count) && pin.allSatisfy(\.isASCIIDigit) }

    /// Wrong PINs in a row after which a PIN is locked until its owner sets a new one.
    static let pinLockAfter = 5

    /// The hash of a PIN set before PINs were bcrypt-hashed (checked once more, then replaced).
    static func legacyPinHash(_ pin: String, person: UUID) -> String {
        Secret.hash("recycling-pin:\(person):\(pin)")
    }

    /// Whether `pin` is the stored one. A wrong one adds to the PIN's wrong tries and a right one clears
    /// them, each one conditional write; a right one of a legacy row is rehashed with bcrypt.
    static func checkPIN(_ pin: String, against stored: RecyclingPin, on req: Request) async throws -> Bool {
        let id = try stored.requireID()
        let right: Bool
        if stored.pinHash.hasPrefix("$2") {
            right = try await req.password.async.verify(pin, created: stored.pinHash)
        } else {
            right = stored.pinHash == legacyPinHash(pin, person: stored.personID)
        }
        guard let sql = req.db as? any SQLDatabase else { return false }
        if right {
            var update = sql.update(RecyclingPin.schema).set("failed_attempts", to: 0)
            if !stored.pinHash.hasPrefix("$2") {
                update = update.set("pin_hash", to: try await req.password.async.hash(pin))
            }
            try await update.where("id", .equal, id).run()
        } else {
            try await sql.raw(
                "UPDATE \(ident: RecyclingPin.schema) SET failed_attempts = failed_attempts + 1 WHERE id = \(bind: id)"
            ).run()
        }
        return right
    }

    /// The price of every box in force at `now`; a box with no price yet is not offered.
    static func prices(_ community: UUID, at now: Date, on db: any Database) async throws -> [RecyclingBoxPrice] {
        try await inForce(community, at: now, on: db).map {
            RecyclingBoxPrice(box: $0.box.rawValue, pricePerKgFen: $0.pricePerKgFen)
        }
    }

    /// The latest price row of each box that started at or before `now`, in the boxes' order.
    static func inForce(_ community: UUID, at now: Date, on db: any Database) async throws -> [RecyclingPrice] {
        let rows = try await RecyclingPrice.query(on: db).filter(\.$communityID == community)
            .filter(\.$effectiveFrom <= now).sort(\.$effectiveFrom, .descending).sort(\.$createdAt, .descending).all()
        var latest: [RecyclingCredit.Box: RecyclingPrice] = [:]
        for row in rows where latest[row.box] == nil { latest[row.box] = row }
        return RecyclingCredit.Box.allCases.compactMap { latest[$0] }
    }

    /// A weighing: checked, then recorded and credited in one transaction; the same event id again
    /// answers what the first one got and credits nothing.
    static func weigh(_ input: WeighingInput, at bin: DeviceRef, on req: Request) async throws -> WeighingRead {
        var v = Validation()
        let eventID = v.text(input.eventId, "eventId", max: 100)
        let scaleID = v.text(input.scaleID, "scaleID", max: 64)
        let box = input.box.flatMap(RecyclingCredit.Box.init(rawValue:))
        if input.box == nil { v.fail("box", "missing_value") } else if box == nil { v.fail("box", "unknown_box") }
        if input.sessionID == nil { v.fail("sessionID", "missing_value") }
        // Up to 500 kg on a box's scale; nothing weighs less than nothing.
        for (field, value) in [("grossGrams", input.grossGrams), ("tareGrams", input.tareGrams), ("netGrams", input.netGrams)] {
            guard let value else { v.fail(field, "missing_value"); continue }
            if value < 0 { v.fail(field, "negative") } else if value > 500_000 { v.fail(field, "out_of_range") }
        }
        if input.netGrams == 0 { v.fail("netGrams", "not_positive") }
        if let gross = input.grossGrams, let tare = input.tareGrams, let net = input.netGrams, gross - tare != net {
            v.fail("netGrams", "not_gross_minus_tare")
        }
        try v.check()
        guard let eventID, let scaleID, let box, let sessionID = input.sessionID, let gross = input.grossGrams,
            let tare = input.tareGrams, let net = input.netGrams
        else { throw LinliError.invalid("eventId", "missing_value") }
        if let done = try await earlier(eventID, at: bin, on: req.db) { return done }
        let now = req.clock.now()
        guard let session = try await RecyclingSession.find(sessionID, on: req.db), session.deviceID == bin.id else {
            throw LinliError.invalid("sessionID", "unknown_session")
        }
        // A weighing may come a little after the session's end (the door was open when it ended).
        guard session.expiresAt.addingTimeInterval(120) >= now else { throw LinliError.invalid("sessionID", "session_expired") }
        guard let price = try await inForce(bin.communityID, at: now, on: req.db).first(where: { $0.box == box }) else {
            throw LinliError.invalid("box", "box_not_priced")
        }
        let credit = RecyclingCredit.fen(netGrams: net, pricePerKgFen: price.pricePerKgFen)
        let community = bin.communityID
        let answer = try await req.db.writeTransaction { tx -> WeighingRead? in
            guard let sql = tx as? any SQLDatabase else { throw LinliError(.unavailable) }
            let id = UUID()
            let inserted = try await sql.insert(into: RecyclingWeighing.schema)
                .columns(
                    "id", "community_id", "device_id", "event_id", "session_id", "household_id", "person_id", "box",
                    "gross_grams", "tare_grams", "net_grams", "scale_id", "price_id", "price_per_kg_fen", "credited_fen",
                    "balance_fen", "created_at"
                )
                .values(
                    SQLBind(id), SQLBind(community), SQLBind(bin.id), SQLBind(eventID), SQLBind(sessionID),
                    SQLBind(session.householdID), SQLBind(session.personID), SQLBind(box.rawValue), SQLBind(gross),
                    SQLBind(tare), SQLBind(net), SQLBind(scaleID), SQLBind(price.id), SQLBind(price.pricePerKgFen),
                    SQLBind(credit), SQLBind(Int64(0)), SQLBind(now)
                )
                .ignoringConflicts(with: ["device_id", "event_id"])
                .returning("id").all()
            guard !inserted.isEmpty else { return nil }
            let wallet = Books.wallet(session.householdID)
            var balance = try await Books.balance(wallet, on: tx)
            if credit > 0 {
                let after = try await Books.post(
                    .transfer(credit, from: Books.recyclingPayouts(community), to: wallet, cause: "weighing:\(id)"),
                    community: community, at: now, on: tx)
                balance = after?[wallet] ?? balance
            }
            try await sql.update(RecyclingWeighing.schema).set("balance_fen", to: balance).where("id", .equal, id).run()
            return WeighingRead(creditedFen: credit, balanceFen: balance)
        }
        if let answer { return answer }
        guard let done = try await earlier(eventID, at: bin, on: req.db) else { throw LinliError(.unavailable) }
        return done
    }

    private static func earlier(_ eventID: String, at bin: DeviceRef, on db: any Database) async throws -> WeighingRead? {
        guard let row = try await RecyclingWeighing.query(on: db).filter(\.$deviceID == bin.id)
            .filter(\.$eventID == eventID).first()
        else { return nil }
        return WeighingRead(creditedFen: row.creditedFen, balanceFen: row.balanceFen)
    }
}
