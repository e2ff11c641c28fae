import Foundation
import LinliCore
import NIOConcurrencyHelpers
import Vapor

/// Drives virtual devices of every type through the public device API, as real devices would.
struct Simulator: Sendable {
    struct Options: Sendable {
        var url = "http://127.0.0.1:8080"
        /// The community's provisioning key and secret (the demo's are linli-demo / linli-demo-secret).
        var key = "linli-demo"
        var secret = "linli-demo-secret"
        var devices = 20
        /// Messages per second, over all devices.
        var rate = 10.0
        var duration: TimeInterval = 60
        /// Readings per message (a `{ts, values}` array when more than one).
        var batch = 1
        /// Concurrent senders.
        var connections = 8
        /// Devices with commands long-poll for them and answer.
        var commands = true
        var state: String?
        /// Appends `token ts readings` for every message that got a 2xx (the durability check reads it).
        var ackLog: String?
        var prefix = "sim"
    }

    struct Device: Sendable {
        let name: String
        let type: String
        let token: String
        /// The routine of the person living where the device is, for a home's door, motion, water, lock, TV.
        var routine: HomeRoutine? = nil
        var total: Double? = nil  // a meter's last stored total, to carry on from
    }

    struct Report: Sendable {
        var sent = 0
        var acknowledged = 0
        var readings = 0
        var failed = 0
        /// Readings sent but refused by the catalogue's checks (should stay 0).
        var refused = 0
        var seconds = 0.0
    }

    let options: Options
    let client: any Client

    /// Long polls hold a connection each: give the client enough of them (before its first use).
    static func widenConnectionPool(_ app: Application, _ options: Options) {
        let pollers = options.commands ? options.devices : 0
        app.http.client.configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit =
            max(8, options.connections + pollers + 4)
    }

    /// Provisions the virtual devices (or reuses the tokens saved in the state file).
    func provision() async throws -> [Device] {
        let types = DeviceCatalog.all.map(\.key)
        let statePath = options.state ?? ".linli-simulate-\(options.key).json"
        var saved: [String: String] = [:]
        if let data = FileManager.default.contents(atPath: statePath),
            let decoded = try? JSONDecoder().decode([String: String].self, from: data)
        {
            saved = decoded
        }
        var devices: [Device] = []
        for index in 0..<options.devices {
            let type = types[index % types.count]
            let name = "\(options.prefix)-\(type)-\(index / types.count + 1)"
            if let token = saved[name] {
                devices.append(Device(name: name, type: type, token: token))
                continue
            }
            let response = try await client.post(URI(string: options.url + "/api/v1/provision")) { request in
                try request.content.encode([
                    "deviceName": name, "provisionDeviceKey": options.key, "provisionDeviceSecret": options.secret,
                    "deviceType": type,
                ])
            }
            guard response.status == .ok, let answer = try? response.content.decode(Provisioning.Answer.self) else {
                throw SimulatorError.provisioning(
                    name, response.status.code, response.body.map { String(buffer: $0) } ?? "")
            }
            saved[name] = answer.credentialsValue
            devices.append(Device(name: name, type: type, token: answer.credentialsValue))
        }
        try JSONEncoder().encode(saved).write(to: URL(fileURLWithPath: statePath))
        return devices
    }

    /// Sends telemetry at the requested rate for the requested time; returns what was acknowledged.
    func run(_ devices: [Device]) async throws -> Report {
        precondition(!devices.isEmpty)
        let virtual = NIOLockedValueBox(
            Dictionary(
                uniqueKeysWithValues: devices.enumerated().map {
                    var model = VirtualDevice(type: $0.element.type, seed: UInt64($0.offset + 1) * 7919, routine: $0.element.routine)
                    if let total = $0.element.total { model.resume(total: total) }
                    return ($0.element.token, model)
                }))
        let report = NIOLockedValueBox(Report())
        let ackLog = options.ackLog.flatMap { path -> FileHandle? in
            if !FileManager.default.fileExists(atPath: path) {
                FileManager.default.createFile(atPath: path, contents: nil)
            }
            let handle = FileHandle(forWritingAtPath: path)
            handle?.seekToEndOfFile()
            return handle
        }
        let logLock = NIOLock()
        let started = Date()
        let deadline = started.addingTimeInterval(options.duration)
        let perSender = options.rate / Double(max(1, options.connections))
        let lastStep = NIOLockedValueBox([String: Int64]())
        try await withThrowingTaskGroup(of: Void.self) { group in
            if options.commands {
                for device in devices where !(DeviceCatalog.type(device.type)?.commands.isEmpty ?? true) {
                    group.addTask { await pollCommands(device, virtual: virtual, until: deadline) }
                }
            }
            for sender in 0..<max(1, options.connections) {
                group.addTask {
                    var next = Date()
                    var position = sender
                    while Date() < deadline, !Task.isCancelled {
                        let device = devices[position % devices.count]
                        position += max(1, options.connections)
                        let now = Int64(Date().timeIntervalSince1970 * 1000)
                        let (body, count, ts) = message(device, now: now, virtual: virtual, lastStep: lastStep)
                        let accepted = await send(device, body)
                        report.withLockedValue {
                            $0.sent += 1
                            if let accepted {
                                $0.acknowledged += 1
                                $0.readings += accepted
                                $0.refused += count - accepted
                            } else {
                                $0.failed += 1
                            }
                        }
                        if let accepted, let ackLog {
                            logLock.withLock { ackLog.write(Data("\(device.token) \(ts) \(accepted)\n".utf8)) }
                        }
                        if perSender > 0 {
                            next = next.addingTimeInterval(1 / perSender)
                            let wait = next.timeIntervalSinceNow
                            if wait > 0 { try await Task.sleep(nanoseconds: UInt64(wait * 1_000_000_000)) }
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        try? ackLog?.close()
        var result = report.withLockedValue { $0 }
        result.seconds = Date().timeIntervalSince(started)
        return result
    }

    /// One telemetry body: a flat object, or `batch` readings sets in a `{ts, values}` array. The
    /// last `ts` is returned for the acknowledgement log.
    private func message(
        _ device: Device, now: Int64, virtual: NIOLockedValueBox<[String: VirtualDevice]>,
        lastStep: NIOLockedValueBox<[String: Int64]>
    ) -> (String, Int, Int64) {
        virtual.withLockedValue { all in
            var model = all[device.token] ?? VirtualDevice(type: device.type, seed: 1)
            var items: [JSON] = []
            var readings = 0
            var ts = now
            for _ in 0..<max(1, options.batch) {
                // Every reading set of a device gets its own millisecond, later than the one before.
                let previous = lastStep.withLockedValue { $0[device.token] } ?? (now - 60_000)
                ts = max(now - Int64(options.batch), previous + 1)
                let values = model.step(at: ts, seconds: Double(max(1, ts - previous)) / 1000)
                lastStep.withLockedValue { $0[device.token] = ts }
                readings += values.count
                items.append(.object(["ts": .number(Double(ts)), "values": .object(values)]))
            }
            all[device.token] = model
            let payload: JSON = items.count == 1 ? items[0] : .array(items)
            return (payload.text, readings, ts)
        }
    }

    /// Posts one message; the number of readings the server accepted, or nil when it did not answer 2xx.
    private func send(_ device: Device, _ body: String) async -> Int? {
        do {
            let response = try await client.post(URI(string: "\(options.url)/api/v1/\(device.token)/telemetry")) {
                request in
                request.headers.contentType = .json
                request.body = ByteBuffer(string: body)
            }
            guard response.status == .ok else { return nil }
            return (try? response.content.decode(TelemetryAnswer.self))?.accepted ?? 0
        } catch {
            return nil
        }
    }

    /// Long-polls for commands, applies them to the virtual device and answers two-way ones.
    private func pollCommands(
        _ device: Device, virtual: NIOLockedValueBox<[String: VirtualDevice]>, until deadline: Date
    ) async {
        while Date() < deadline, !Task.isCancelled {
            let wait = max(0, min(20, deadline.timeIntervalSinceNow))
            guard wait > 0.5,
                let response = try? await client.get(
                    URI(string: "\(options.url)/api/v1/\(device.token)/rpc?timeout=\(Int(wait * 1000))")),
                response.status == .ok, let command = try? response.content.decode(CommandMessage.self)
            else {
                if Date() < deadline { try? await Task.sleep(nanoseconds: 200_000_000) }
                continue
            }
            let reply = virtual.withLockedValue { all -> JSON in
                var model = all[device.token] ?? VirtualDevice(type: device.type, seed: 1)
                let reply = model.apply(command.method)
                all[device.token] = model
                if command.method == "open_valve" {
                    for key in all.keys where all[key]?.type == "soil_sensor" { all[key]?.water() }
                }
                return reply
            }
            if DeviceCatalog.type(device.type)?.command(command.method)?.twoWay ?? false {
                _ = try? await client.post(URI(string: "\(options.url)/api/v1/\(device.token)/rpc/\(command.id)")) {
                    request in
                    try request.content.encode(reply)
                }
            }
        }
    }
}

enum SimulatorError: Error, CustomStringConvertible {
    case provisioning(String, UInt, String)

    var description: String {
        switch self {
        case .provisioning(let name, let status, let body): "provisioning \(name) failed: HTTP \(status) \(body)"
        }
    }
}

/// `linli simulate --url U --community KEY --secret S --devices N --rate R --duration D [--batch B]`.
struct SimulateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "url", help: "Linli server (http://127.0.0.1:8080)") var url: String?
        @Option(name: "community", help: "The community's provisioning key (linli-demo)") var community: String?
        @Option(name: "secret", help: "The provisioning secret (linli-demo-secret)") var secret: String?
        @Option(name: "devices", help: "Virtual devices, spread over every type (20)") var devices: Int?
        @Option(name: "rate", help: "Telemetry messages per second over all devices (10; 0 = as fast as possible)")
        var rate: Double?
        @Option(name: "duration", help: "Seconds to run (60); 30s, 5m and 2h also work") var duration: String?
        @Option(name: "batch", help: "Readings sets per message (1)") var batch: Int?
        @Option(name: "connections", help: "Concurrent senders (8)") var connections: Int?
        @Option(name: "state", help: "Where provisioned tokens are kept (.linli-simulate-KEY.json)") var state: String?
        @Option(name: "ack-log", help: "Append `token ts readings` for every acknowledged message") var ackLog: String?
        @Option(name: "prefix", help: "Device name prefix (sim)") var prefix: String?
        @Flag(name: "no-commands", help: "Do not long-poll for commands") var noCommands: Bool
    }

    var help: String { "Drives virtual devices of every type through the device API (load and a living demo)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        var options = Simulator.Options()
        if let url = signature.url { options.url = url.hasSuffix("/") ? String(url.dropLast()) : url }
        if let key = signature.community { options.key = key }
        if let secret = signature.secret { options.secret = secret }
        if let devices = signature.devices { options.devices = max(1, devices) }
        if let rate = signature.rate { options.rate = max(0, rate) }
        if let duration = signature.duration { options.duration = Self.seconds(duration) ?? options.duration }
        if let batch = signature.batch { options.batch = max(1, min(1000, batch)) }
        if let connections = signature.connections { options.connections = max(1, connections) }
        options.state = signature.state
        options.ackLog = signature.ackLog
        if let prefix = signature.prefix { options.prefix = prefix }
        options.commands = !signature.noCommands
        Simulator.widenConnectionPool(context.application, options)
        let simulator = Simulator(
            options: options, client: context.application.client)
        let devices = try await simulator.provision()
        context.console.print(
            "simulating \(devices.count) devices against \(options.url) for \(Int(options.duration)) s")
        let report = try await simulator.run(devices)
        let perSecond = Double(report.readings) / max(report.seconds, 0.001)
        context.console.print(
            "sent \(report.sent) messages, \(report.acknowledged) acknowledged (\(report.readings) readings), "
                + "\(report.refused) readings refused, \(report.failed) failed, in \(String(format: "%.1f", report.seconds)) s: "
                + "\(String(format: "%.0f", Double(report.acknowledged) / max(report.seconds, 0.001))) messages/s, "
                + "\(String(format: "%.0f", perSecond)) readings/s")
    }

    static func seconds(_ text: String) -> TimeInterval? {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600]
        if let last = text.last, let unit = units[last] { return Double(text.dropLast()).map { $0 * unit } }
        return Double(text)
    }
}
