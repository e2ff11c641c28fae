import Foundation

/// Group commit: callers that arrive while a write is in progress wait together and go into the next
/// one. Each caller returns only after the write that holds its item committed, so an acknowledged
/// write survives a crash, yet a busy server writes many items per transaction (one fsync) instead of
/// one each. `write` gets the items in arrival order and answers one result per item.
actor GroupCommit<Item: Sendable, Result: Sendable> {
    private struct Pending {
        let item: Item
        /// Nil for items enqueued without waiting (`enqueue`).
        let done: CheckedContinuation<Result, any Error>?
    }

    private let write: @Sendable ([Item]) async throws -> [Result]
    /// Told about failed writes of items nobody waits for (`enqueue`).
    private let onError: @Sendable (any Error) -> Void
    private var pending: [Pending] = []
    private var flushing = false

    init(
        onError: @escaping @Sendable (any Error) -> Void = { _ in },
        write: @escaping @Sendable ([Item]) async throws -> [Result]
    ) {
        self.write = write
        self.onError = onError
    }

    func submit(_ item: Item) async throws -> Result {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Result, any Error>) in
            pending.append(Pending(item: item, done: done))
            if !flushing {
                flushing = true
                Task { await self.flush() }
            }
        }
    }

    /// Adds an item to the next write without waiting for it; a failure goes to `onError`.
    func enqueue(_ item: Item) {
        pending.append(Pending(item: item, done: nil))
        if !flushing {
            flushing = true
            Task { await self.flush() }
        }
    }

    /// Returns once everything enqueued so far is written (tests, shutdown).
    func idle() async {
        while flushing || !pending.isEmpty { try? await Task.sleep(nanoseconds: 1_000_000) }
    }

    private func flush() async {
        while !pending.isEmpty {
            let group = pending
            pending = []
            do {
                let results = try await write(group.map(\.item))
                for (waiter, result) in zip(group, results) { waiter.done?.resume(returning: result) }
            } catch {
                for waiter in group { waiter.done?.resume(throwing: error) }
                if group.contains(where: { $0.done == nil }) { onError(error) }
            }
        }
        flushing = false
    }
}
