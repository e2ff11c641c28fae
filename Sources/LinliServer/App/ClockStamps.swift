import Fluent
import Foundation
import Vapor

/// A model whose creation time comes from the injected clock (not the system's), set when it is created.
protocol CreationStamped: Model, AnyObject {
    var createdAt: Date? { get set }
}

/// A model that also records when it last changed, from the injected clock.
protocol ChangeStamped: CreationStamped {
    var updatedAt: Date? { get set }
}

/// Sets `createdAt` (and `updatedAt`) from the application's clock on every Fluent write of the model, so
/// every timestamp Linli stores comes from one clock — the one tests move.
struct ClockStamps<M: CreationStamped>: AsyncModelMiddleware {
    let clock: any LinliClock

    func create(model: M, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        let now = clock.now()
        if model.createdAt == nil { model.createdAt = now }
        (model as? any ChangeStamped)?.updatedAt = now
        try await next.create(model, on: db)
    }

    func update(model: M, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        (model as? any ChangeStamped)?.updatedAt = clock.now()
        try await next.update(model, on: db)
    }
}

extension Application {
    /// Stamps the model's times from the injected clock (see ``ClockStamps``).
    func stampWithClock<M: CreationStamped>(_ model: M.Type) {
        databases.middleware.use(ClockStamps<M>(clock: clock))
    }
}

extension Community: ChangeStamped {}
extension Person: ChangeStamped {}
extension Building: CreationStamped {}
extension Household: CreationStamped {}
extension Membership: CreationStamped {}
extension StaffAssignment: CreationStamped {}
extension UserToken: CreationStamped {}
extension Device: CreationStamped {}
