/// The bookkeeping phases of `runOnce` (tasks, timers, deferred closes).
extension EventLoop {
    var earliestTimerDeadline: LoopInstant? {
        timers.earliestDeadline
    }

    func handler(for registration: Registration) -> (any EventHandler)? {
        let index = Int(registration.fd)
        guard index < slots.count, slots[index].generation == registration.generation else { return nil }
        return slots[index].handler
    }

    /// Runs the tasks other threads queued. Tasks queued by these tasks run next iteration,
    /// so a task that re-queues itself cannot starve the poller.
    func runCrossThreadTasks() -> Bool {
        handle.takeTasks(into: &taskBuffer)
        guard !taskBuffer.isEmpty else { return false }
        for task in taskBuffer { task(self) }
        taskBuffer.removeAll(keepingCapacity: true)
        return true
    }

    /// Runs the work queued with `runAfterTasks` (work it queues runs in the next iteration).
    func runAfterTasksWork() -> Bool {
        guard !afterTasks.isEmpty else { return false }
        swap(&afterTasks, &afterTasksBuffer)
        for work in afterTasksBuffer { work(self) }
        afterTasksBuffer.removeAll(keepingCapacity: true)
        return true
    }

    /// Fires every deadline that is due now.
    func fireDueTimers() -> Bool {
        guard let earliest = timers.earliestDeadline else { return false }
        let current = now
        guard earliest <= current else { return false }
        // Collect first: a handler that arms an already-due deadline runs next iteration,
        // not in an endless loop here.
        var due: [TimerHeap.Target] = []
        while let entry = timers.popDue(at: current) { due.append(entry.target) }
        for target in due {
            switch target {
            case .handler(let registration):
                handler(for: registration)?.deadlineReached(at: current, loop: self)
            case .task(let id):
                tasksByID.removeValue(forKey: id)?()
            }
        }
        return true
    }

    /// Closes the descriptors deregistered during this iteration.
    func finishCloses() -> Bool {
        guard !pendingCloses.isEmpty else { return false }
        for fd in pendingCloses { SocketCalls.close(fd) }
        pendingCloses.removeAll(keepingCapacity: true)
        return true
    }
}

extension EventLoop {
    /// Runs `work` later in this iteration, after the I/O events and the cross-thread tasks
    /// it is handling (STYLE P7: batch per iteration). A fan-out uses it to queue every
    /// message that arrived in one wake-up before writing, so each socket gets one `writev`
    /// for all of them instead of one per message. Call from the loop's own thread.
    public func runAfterTasks(_ work: @escaping (EventLoop) -> Void) {
        afterTasks.append(work)
    }

    /// The handler behind a live registration (for tasks that come back to a connection).
    public func handlerForRegistration(_ registration: Registration) -> (any EventHandler)? {
        handler(for: registration)
    }
}

extension EventLoop {
    /// Attaches a loop-confined object (e.g. a server's per-loop state) so tasks arriving
    /// through `handle.execute` can find it. One object per type.
    public func attach<T: AnyObject>(_ object: T) {
        attachments[ObjectIdentifier(T.self)] = object
    }

    /// The object of type `T` attached to this loop, if any.
    public func attached<T: AnyObject>(_ type: T.Type) -> T? {
        attachments[ObjectIdentifier(T.self)] as? T
    }
}

extension EventLoop {
    /// Gives a live registration a new handler (protocol upgrade): later events and
    /// deadlines of the same descriptor go to `handler`.
    public func replaceHandler(of registration: Registration, with handler: any EventHandler) {
        guard isCurrent(registration) else { return }
        slots[Int(registration.fd)].handler = handler
    }
}
