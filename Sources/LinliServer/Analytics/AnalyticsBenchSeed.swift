import Fluent
import Foundation
import LinliCore
import SQLKit
import Vapor

/// The synthetic activity of `linli analytics-bench`, written by PostgreSQL itself (`generate_series`):
/// one community's homes, people, devices and `days` of passages, requests, bills and alarms.
enum AnalyticsBenchSeed {
    static func community(_ n: Int, name: String, homes: Int, days: Int, start: Date, on db: any Database) async throws {
        let c = UUID()
        let last = days - 1
        let statements: [SQLQueryString] = [
            "INSERT INTO communities (id, name, address, created_at, updated_at) VALUES (\(bind: c), \(bind: name), \(bind: "基准路\(n)号"), now(), now())",
            "INSERT INTO buildings (id, community_id, name, floors, created_at) SELECT gen_random_uuid(), \(bind: c), b || '栋', 20, now() FROM generate_series(1, 10) b",
            """
            INSERT INTO households (id, community_id, building_id, floor, room, area_m2, created_at)
            SELECT gen_random_uuid(), \(bind: c), (SELECT id FROM buildings WHERE community_id = \(bind: c) AND name = ((i % 10) + 1) || '栋'),
              (i / 10) % 20 + 1, lpad(i::text, 4, '0'), 60 + (i % 5) * 15, now() FROM generate_series(0, \(bind: homes - 1)) i
            """,
            // Two people a home; one home in seven has an elderly resident (born 1948).
            """
            WITH h AS (SELECT id, (row_number() OVER (ORDER BY room)) - 1 AS i FROM households WHERE community_id = \(bind: c)),
            p AS (
              INSERT INTO people (id, name, phone, birth_year, is_elderly, lives_alone, is_child, is_admin, elder_mode, high_contrast,
                text_size, created_at, updated_at)
              SELECT gen_random_uuid(), '居民' || h.i || '-' || k, '17' || lpad((\(bind: n * 100_000) + h.i * 2 + k)::text, 9, '0'),
                CASE WHEN k = 1 AND h.i % 7 = 0 THEN 1948 ELSE 1985 END, false, false, false, false, false, false, 1, now(), now()
              FROM h, generate_series(0, 1) k RETURNING id, phone)
            INSERT INTO memberships (id, community_id, household_id, person_id, relation, moved_in, created_at)
            SELECT gen_random_uuid(), \(bind: c), h.id, p.id, CASE WHEN substr(p.phone, 3)::bigint % 2 = 0 THEN 'owner' ELSE 'family' END,
              '2020-01-01', now()
            FROM p JOIN h ON h.i = (substr(p.phone, 3)::bigint - \(bind: n * 100_000)) / 2
            """,
            """
            INSERT INTO devices (id, community_id, type, name, attributes, client_attributes, shared_attributes, token_hash, disabled,
              provisioned, created_at, updated_at)
            SELECT gen_random_uuid(), \(bind: c), t.type, t.type || '-' || g, '{}', '{}', '{}', md5(random()::text || clock_timestamp()::text),
              false, false, now(), now()
            FROM (VALUES ('face_gate', 4), ('kiosk', 1), ('bin_level', 4)) t(type, k), generate_series(1, t.k) g
            """,
            // Passages: one a home a day, between 06:00 and 22:00, spread over the four gates.
            """
            WITH gs AS (SELECT array_agg(id ORDER BY name) a FROM devices WHERE community_id = \(bind: c) AND type = 'face_gate')
            INSERT INTO access_events (id, community_id, device_id, event_id, method, allow, reason, score, latency_ms, at, source, direction)
            SELECT gen_random_uuid(), \(bind: c), gs.a[1 + k % 4], gen_random_uuid()::text, 'face', true, 'resident', 0.9, 120,
              \(bind: start) + make_interval(days => d::int, secs => 21600 + floor(random() * 57600)), 'server', 'in'
            FROM generate_series(0, \(bind: last)) d, generate_series(1, \(bind: homes)) k, gs
            """,
            // Requests: three a day, the last two days' still open, the others done in three hours and confirmed.
            """
            WITH hs AS (SELECT array_agg(id ORDER BY room) a FROM households WHERE community_id = \(bind: c)),
            ps AS (SELECT array_agg(person_id ORDER BY household_id) a FROM memberships WHERE community_id = \(bind: c)),
            w AS (SELECT d, k, \(bind: start) + make_interval(days => d::int, secs => 25200 + floor(random() * 46800)) AS at
              FROM generate_series(0, \(bind: last)) d, generate_series(1, 3) k)
            INSERT INTO work_orders (id, community_id, household_id, filed_by, channel, category, description, place, status, respond_by,
              complete_by, done_at, rating, created_at, updated_at, version)
            SELECT gen_random_uuid(), \(bind: c), hs.a[1 + (w.d * 3 + w.k) % array_length(hs.a, 1)], ps.a[1 + (w.d * 3 + w.k) % array_length(ps.a, 1)],
              'app', (ARRAY['repair_water', 'repair_electricity', 'repair_door', 'cleaning', 'complaint', 'help_parcel'])[1 + (w.d + w.k) % 6],
              '基准', '家里', CASE WHEN w.d >= \(bind: last - 1) THEN 'submitted' ELSE 'confirmed' END, w.at + interval '30 minutes',
              w.at + interval '24 hours', CASE WHEN w.d >= \(bind: last - 1) THEN NULL ELSE w.at + interval '3 hours' END,
              CASE WHEN w.k = 1 THEN 4 + w.d % 2 END, w.at, w.at, 0
            FROM w, hs, ps
            """,
            """
            INSERT INTO work_order_events (id, order_id, action, note, at)
            SELECT gen_random_uuid(), id, 'accept', '', created_at + interval '10 minutes' FROM work_orders WHERE community_id = \(bind: c) AND done_at IS NOT NULL
            UNION ALL SELECT gen_random_uuid(), id, 'complete', '', done_at FROM work_orders WHERE community_id = \(bind: c) AND done_at IS NOT NULL
            """,
            // A bill a home a month, due on the 21st; most paid within 25 days.
            """
            WITH m AS (SELECT to_char(g, 'YYYY-MM') p, g AS issued FROM generate_series(date_trunc('month', \(bind: start)::timestamptz), now(), interval '1 month') g)
            INSERT INTO bills (id, community_id, household_id, period, total_fen, paid_fen, status, issued_at, due_on)
            SELECT gen_random_uuid(), \(bind: c), h.id, m.p, 30000 + floor(random() * 10000), 0, 'issued', m.issued + interval '1 day',
              to_char(m.issued + interval '20 days', 'YYYY-MM-DD')
            FROM m, households h WHERE h.community_id = \(bind: c)
            """,
            "UPDATE bills SET paid_fen = total_fen, status = 'paid' WHERE community_id = \(bind: c) AND issued_at < now() - interval '25 days' AND random() < 0.85",
            """
            INSERT INTO bill_payments (id, community_id, bill_id, amount_fen, channel, request_key, receipt_no, recorded_by, created_at)
            SELECT gen_random_uuid(), \(bind: c), id, total_fen, 'online', gen_random_uuid()::text, gen_random_uuid()::text, \(bind: c),
              issued_at + make_interval(days => floor(random() * 25)::int)
            FROM bills WHERE community_id = \(bind: c) AND status = 'paid'
            """,
            """
            INSERT INTO bill_lines (id, community_id, bill_id, item, version_id, tier, quantity_milli, price, amount_fen)
            SELECT gen_random_uuid(), \(bind: c), b.id, it.item, \(bind: c), 1, it.q, 1, 100
            FROM bills b, LATERAL (VALUES ('water', 5000 + floor(random() * 20000)::bigint), ('electricity', 80000 + floor(random() * 300000)::bigint),
              ('property_fee', 9000::bigint)) it(item, q)
            WHERE b.community_id = \(bind: c)
            """,
            // An alarm a day at 13:00, acknowledged in 40 s; one in three false.
            """
            WITH hs AS (SELECT array_agg(id) a FROM households WHERE community_id = \(bind: c))
            INSERT INTO guard_calls (id, community_id, household_id, kind, step, raised_at, acknowledged_at, resolved_at, outcome, escalations, repeats)
            SELECT gen_random_uuid(), \(bind: c), hs.a[1 + d % array_length(hs.a, 1)], (ARRAY['hazard', 'intrusion', 'unconfirmed', 'panic'])[1 + d % 4],
              'resolved', t, t + interval '40 seconds', t + interval '20 minutes', CASE WHEN d % 3 = 0 THEN 'false_alarm' ELSE 'real' END, 0, 0
            FROM generate_series(0, \(bind: last)) d, hs, LATERAL (SELECT \(bind: start) + make_interval(days => d::int, hours => 13) AS t) x
            """,
        ]
        try await db.transaction { tx in
            guard let sql = tx as? any SQLDatabase else { return }
            for statement in statements { try await sql.raw(statement).run() }
        }
    }

    /// An operator of every bench community (phone 17900000000, made once) and a new bearer token of theirs.
    static func operatorToken(_ communities: [UUID], now: Date, on db: any Database) async throws -> String {
        let phone = "17900000000"
        let person: Person
        if let found = try await Person.query(on: db).filter(\.$phone == phone).first() {
            person = found
        } else {
            person = Person(id: UUID(), name: "基准运营", phone: phone)
            try await person.create(on: db)
        }
        let id = try person.requireID()
        let has = Set(try await StaffAssignment.query(on: db).filter(\.$personID == id).all(\.$communityID))
        for community in communities where !has.contains(community) {
            try await StaffAssignment(communityID: community, personID: id, role: .operator_).create(on: db)
        }
        let (token, row) = UserToken.issue(for: id, now: now)
        try await row.create(on: db)
        return token
    }
}
