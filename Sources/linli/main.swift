import Foundation
import LinliServer

do {
    try await LinliMain.run()
} catch {
    FileHandle.standardError.write(Data("linli: \(error)\n".utf8))
    exit(1)
}
