import Fluent
import LinliCore
import SQLKit
import Vapor

extension Notifications {
    @Sendable static func listMyNotifications(_ req: Request) async throws -> some AsyncResponseEncodable {
        let options = try req.listOptions(.notifications)
        guard var query = try await Notifications.query(for: try req.user().principal, on: req) else {
            return ListPage<NotificationRead>(
                items: [], metadata: PageMetadata(page: options.page, per: options.per, total: 0))
        }
        if let q = options.query { query = query.filter(\.$title ~~ q) }
        return try await query.page(options, map: { try NotificationRead($0, req) })
    }

    @Sendable static func listNotificationPreferences(_ req: Request) async throws -> [PreferenceRead] {
        let person = try req.user().principal.personID
        let rows = try await NotificationPreference.query(on: req.db).filter(\.$personID == person).all()
        return req.application.notificationTopics.all.map { topic in
            read(topic, rows.first { $0.topic == topic.name }.map { topic.allowed($0.channels) } ?? topic.defaultChannels, req)
        }
    }

    @Sendable static func setNotificationPreference(_ req: Request) async throws -> PreferenceRead {
        let person = try req.user().principal.personID
        let input = try req.decode(PreferenceInput.self)
        guard let topic = req.application.notificationTopics.named(input.topic) else {
            throw LinliError.invalid("topic", "unknown_topic")
        }
        var channels: Set<NotificationChannel> = []
        for name in input.channels {
            guard let channel = NotificationChannel(rawValue: name) else { throw LinliError.invalid("channels", "unknown_channel") }
            channels.insert(channel)
        }
        channels = try await choose(channels, for: topic, person: person, on: req)
        // The person's home page lists notes without the muted topics.
        req.application.events.publish(PersonChanged(person: person))
        return read(topic, channels, req)
    }

    /// Stores a person's channels for a topic (one row, replaced); what was kept (a safety topic keeps the app).
    @discardableResult
    static func choose(
        _ channels: Set<NotificationChannel>, for topic: NotificationTopic, person: UUID, on req: Request
    ) async throws -> Set<NotificationChannel> {
        let channels = topic.allowed(channels)
        let list = NotificationChannel.allCases.filter(channels.contains).map(\.rawValue).joined(separator: ",")
        let now = req.clock.now()
        try await req.db.writeTransaction { db in
            guard let sql = db as? any SQLDatabase else { throw LinliError(.unavailable) }
            try await sql.insert(into: NotificationPreference.schema)
                .columns("id", "person_id", "topic", "channels", "updated_at")
                .values(SQLBind(UUID()), SQLBind(person), SQLBind(topic.name), SQLBind(list), SQLBind(now))
                .onConflict(with: ["person_id", "topic"]) { $0.set(excludedValueOf: "channels").set(excludedValueOf: "updated_at") }
                .run()
        }
        return channels
    }

    static func read(_ topic: NotificationTopic, _ channels: Set<NotificationChannel>, _ req: Request) -> PreferenceRead {
        PreferenceRead(
            topic: topic.name, label: req.t("notify.topic.\(topic.name)"), safety: topic.safety,
            channels: NotificationChannel.allCases.filter(channels.contains).map(\.rawValue))
    }

    /// The SMS gateway of the request: a device of type `sms_gateway` (any other device: 403).
    static func gateway(_ req: Request) async throws -> DeviceRef {
        guard let token = req.headers.bearerAuthorization?.token else { throw LinliError(.invalidDeviceToken) }
        let device = try await req.deviceHub.authenticate(token)
        guard device.type == "sms_gateway" else { throw LinliError(.forbidden, ["reason": "not_a_gateway"]) }
        return device
    }

    @Sendable static func takeSmsOutbox(_ req: Request) async throws -> Response {
        let device = try await gateway(req)
        let queued = try await SmsMessage.query(on: req.db).filter(\.$communityID == device.communityID)
            .filter(\.$status == "queued").sort(\.$createdAt).limit(50).all()
        let response = try await queued.map(SmsRead.init).encodeResponse(for: req)
        response.headers.cacheControl = .init(noStore: true)
        return response
    }

    @Sendable static func reportSms(_ req: Request) async throws -> SmsRead {
        let device = try await gateway(req)
        let id = try req.id("messageID")
        let input = try req.decode(SmsReportInput.self)
        guard ["sent", "failed"].contains(input.status) else { throw LinliError.invalid("status", "invalid_value") }
        guard let message = try await SmsMessage.find(id, on: req.db), message.communityID == device.communityID else {
            throw LinliError(.notFound)
        }
        let now = req.clock.now()
        let error = input.error.map { String($0.prefix(200)) }
        let changed = try await req.db.writeTransaction { db in
            try await db.conditionalUpdate(SmsMessage.schema) {
                $0.set("status", to: input.status).set("error", to: error).set("reported_at", to: now)
                    .where("id", .equal, id).where("status", .equal, "queued")
            }
        }
        guard changed == 1 else { throw LinliError(.conflict, issues: [FieldIssue(field: "status", reason: "already_reported")]) }
        return try SmsRead(message)
    }
}
