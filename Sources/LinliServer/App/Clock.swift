import Foundation
import LinliCore
import NIOConcurrencyHelpers
import Vapor

/// Where Linli gets the time. Injected so tests can move it instead of sleeping.
public protocol LinliClock: Sendable {
    func now() -> Date
    func sleep(seconds: TimeInterval) async throws
}

/// The real clock.
public struct SystemClock: LinliClock {
    public init() {}
    public func now() -> Date { Date() }
    public func sleep(seconds: TimeInterval) async throws {
        try await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1_000_000_000))
    }
}

/// A clock that moves only when told; `sleep` moves it instead of waiting.
public final class ManualClock: LinliClock, @unchecked Sendable {
    private let lock = NIOLock()
    private var current: Date

    public init(_ start: Date = Date(timeIntervalSince1970: 1_790_000_000)) { current = start }

    public func now() -> Date { lock.withLock { current } }

    public func advance(by seconds: TimeInterval) {
        lock.withLock { current = current.addingTimeInterval(seconds) }
    }

    public func sleep(seconds: TimeInterval) async throws { advance(by: seconds) }
}

extension Application {
    private struct ClockKey: StorageKey { typealias Value = any LinliClock }

    /// The injected clock (the system clock unless a test set another).
    public var clock: any LinliClock {
        get { storage[ClockKey.self] ?? SystemClock() }
        set { storage[ClockKey.self] = newValue }
    }
}

extension Request {
    var clock: any LinliClock { application.clock }

    /// Today's date in the community's zone (China Standard Time), as `YYYY-MM-DD`.
    var today: String { Calendar.chinaDate(application.clock.now()) }
}

extension Calendar {
    static let china: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        if let zone = TimeZone(identifier: "Asia/Shanghai") ?? TimeZone(secondsFromGMT: 8 * 3600) {
            calendar.timeZone = zone
        }
        return calendar
    }()

    static func chinaDate(_ date: Date) -> String {
        let parts = china.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1)
    }

    /// `date` as pages and messages show a moment: China time, to the minute (`2026-09-21 14:30`).
    static func chinaMinute(_ date: Date) -> String {
        let parts = china.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(
            format: "%04d-%02d-%02d %02d:%02d", parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0)
    }

    /// A form's `datetime-local` value read as China time (`2026-09-21T14:30`); nil when it is not one.
    static func chinaLocalTime(_ text: String?) -> Date? {
        guard let text, !text.isEmpty, text.count <= 19 else { return nil }
        let f = DateFormatter()
        f.timeZone = china.timeZone
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = text.count > 16 ? "yyyy-MM-dd'T'HH:mm:ss" : "yyyy-MM-dd'T'HH:mm"
        return f.date(from: text)
    }

    /// The first moment of the China day after the one `date` falls on.
    static func nextChinaDay(after date: Date) -> Date {
        china.date(byAdding: .day, value: 1, to: china.startOfDay(for: date)) ?? date.addingTimeInterval(24 * 3600)
    }

    static func chinaYear(_ date: Date) -> Int { china.component(.year, from: date) }

    /// Midnight in China at the start of a day.
    static func chinaStart(of day: CivilDate) -> Date {
        china.date(from: DateComponents(year: day.year, month: day.month, day: day.day))
            ?? Date(timeIntervalSince1970: 0)
    }
}
