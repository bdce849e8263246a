import Testing

@testable import ModelServer

struct SystemdSocketActivationTests {
    private typealias Socket = SystemdSocketActivation.Socket

    @Test("LISTEN_FDS=2 for this pid gives fds 3 and 4 with their names")
    func socketsForThisProcess() throws {
        let environment = ["LISTEN_PID": "4242", "LISTEN_FDS": "2", "LISTEN_FDNAMES": "http:admin"]
        #expect(try SystemdSocketActivation.sockets(environment: environment, pid: 4242)
            == [Socket(fd: 3, name: "http"), Socket(fd: 4, name: "admin")])
    }

    @Test("without LISTEN_FDNAMES every socket is named unknown")
    func namesDefaultToUnknown() throws {
        #expect(try SystemdSocketActivation.sockets(environment: ["LISTEN_PID": "7", "LISTEN_FDS": "1"], pid: 7)
            == [Socket(fd: 3, name: "unknown")])
    }

    @Test("sockets meant for another process, or no LISTEN_PID at all, are ignored")
    func otherProcessIsIgnored() throws {
        #expect(try SystemdSocketActivation.sockets(environment: ["LISTEN_PID": "1", "LISTEN_FDS": "1"], pid: 4242).isEmpty)
        #expect(try SystemdSocketActivation.sockets(environment: ["LISTEN_FDS": "1"], pid: 4242).isEmpty)
        #expect(try SystemdSocketActivation.sockets(environment: ["LISTEN_PID": "4242", "LISTEN_FDS": "0"], pid: 4242).isEmpty)
        #expect(try SystemdSocketActivation.sockets(environment: ["LISTEN_PID": "4242"], pid: 4242).isEmpty)
    }

    @Test("malformed pids and counts are errors", arguments: [
        (["LISTEN_PID": "abc", "LISTEN_FDS": "1"], SystemdError.invalidListenPID("abc")),
        (["LISTEN_PID": "-3", "LISTEN_FDS": "1"], SystemdError.invalidListenPID("-3")),
        (["LISTEN_PID": "9", "LISTEN_FDS": "two"], SystemdError.invalidListenFDs("two")),
        (["LISTEN_PID": "9", "LISTEN_FDS": "-1"], SystemdError.invalidListenFDs("-1")),
        (["LISTEN_PID": "9", "LISTEN_FDS": "2147483647"], SystemdError.invalidListenFDs("2147483647")),
        (["LISTEN_PID": "9", "LISTEN_FDS": "2", "LISTEN_FDNAMES": "http"], SystemdError.listenFDNamesMismatch(names: 1, descriptors: 2)),
    ])
    func malformedVariablesAreErrors(environment: [String: String], expected: SystemdError) {
        #expect(throws: expected) { try SystemdSocketActivation.sockets(environment: environment, pid: 9) }
    }

    @Test("empty names are kept in their position")
    func emptyNamesKeepPosition() throws {
        let environment = ["LISTEN_PID": "9", "LISTEN_FDS": "3", "LISTEN_FDNAMES": "a::c"]
        #expect(try SystemdSocketActivation.sockets(environment: environment, pid: 9).map(\.name) == ["a", "", "c"])
    }
}
