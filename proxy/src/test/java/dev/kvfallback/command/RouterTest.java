package dev.kvfallback.command;

import dev.kvfallback.protocol.RespRequest;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Where each kind of command goes, by the session's state and the mode: no socket, no backend. */
class RouterTest {

    private static final CommandTable TABLE = CommandTable.load();

    /** A session's state as the router reads it; each test changes what it needs. */
    private record State(boolean redisUsed, boolean servesFromMongo, boolean queuedForEngine, boolean inUpstreamMulti,
                         boolean watching, boolean tracking, boolean pinnedOpen, int db, int defaultDb)
            implements RoutingState {
        static final State PRIMARY = new State(true, false, false, false, false, false, false, 0, 0);
        static final State FALLBACK = new State(true, true, false, false, false, false, false, 0, 0);

        State db(int n) {
            return new State(redisUsed, servesFromMongo, queuedForEngine, inUpstreamMulti, watching, tracking, pinnedOpen, n,
                    defaultDb);
        }

        State watchingKeys() {
            return new State(redisUsed, servesFromMongo, queuedForEngine, inUpstreamMulti, true, tracking, pinnedOpen, db,
                    defaultDb);
        }

        State trackingKeys() {
            return new State(redisUsed, servesFromMongo, queuedForEngine, inUpstreamMulti, watching, true, true, db,
                    defaultDb);
        }

        State inMulti() {
            return new State(redisUsed, servesFromMongo, queuedForEngine, true, watching, tracking, true, db, defaultDb);
        }

        State withPinned() {
            return new State(redisUsed, servesFromMongo, queuedForEngine, inUpstreamMulti, watching, tracking, true, db,
                    defaultDb);
        }

        State queuingForEngine() {
            return new State(redisUsed, servesFromMongo, true, inUpstreamMulti, watching, tracking, pinnedOpen, db, defaultDb);
        }

        State mongoOnly() {
            return new State(false, true, queuedForEngine, inUpstreamMulti, watching, tracking, pinnedOpen, db, defaultDb);
        }
    }

    private static Route route(State state, String... command) {
        return Router.decide(TABLE.resolve(RespRequest.of(command)), state);
    }

    @Test
    void dataCommandsShareAConnectionUntilTheSessionHoldsStateThere() {
        assertEquals(Route.Upstream.SHARED, route(State.PRIMARY, "GET", "k"));
        assertEquals(Route.Upstream.SHARED, route(State.PRIMARY, "CONFIG", "GET", "maxmemory"));
        assertEquals(Route.Upstream.PINNED, route(State.PRIMARY.db(9), "GET", "k"), "another db");
        assertEquals(Route.Upstream.PINNED, route(State.PRIMARY.watchingKeys(), "GET", "k"), "after WATCH");
        assertEquals(Route.Upstream.PINNED, route(State.PRIMARY.trackingKeys(), "GET", "k"), "tracking");
        assertEquals(Route.Upstream.SHARED, route(State.PRIMARY.db(9).db(0), "GET", "k"));
    }

    @Test
    void commandsThatWaitOrHoldConnectionStateGetTheSessionsOwnConnection() {
        for (String[] command : new String[][] {{"BLPOP", "l", "0"}, {"XREAD", "BLOCK", "0", "STREAMS", "s", "$"},
                {"WAIT", "1", "0"}, {"MULTI"}, {"WATCH", "k"}, {"CLIENT", "TRACKING", "on"},
                {"CLIENT", "CACHING", "yes"}, {"READONLY"}}) {
            assertEquals(Route.Upstream.PINNED, route(State.PRIMARY, command), String.join(" ", command));
        }
        assertEquals(Route.Upstream.SUBSCRIBER, route(State.PRIMARY, "SUBSCRIBE", "ch"));
        assertEquals(Route.Upstream.SUBSCRIBER, route(State.PRIMARY, "PUNSUBSCRIBE"));
    }

    @Test
    void execAndDiscardGoWhereTheTransactionIs() {
        assertEquals(Route.Upstream.PINNED, route(State.PRIMARY.inMulti(), "EXEC"));
        assertEquals(Route.Upstream.PINNED, route(State.PRIMARY.withPinned(), "DISCARD"), "the pinned connection answers");
        assertEquals(Route.Upstream.SHARED, route(State.PRIMARY, "EXEC"), "EXEC without MULTI: Redis's error");
    }

    @Test
    void theProxyAnswersItsOwnAndRefusesWhatNoReplyCanBeMatchedTo() {
        for (String[] command : new String[][] {{"PING"}, {"SELECT", "1"}, {"QUIT"}, {"RESET"}, {"CLIENT", "LIST"},
                {"CLIENT", "KILL", "ID", "1"}, {"CLIENT", "REPLY", "OFF"}, {"CLIENT", "TRACKINGINFO"}, {"COMMAND", "COUNT"}}) {
            assertEquals(Route.LOCAL, route(State.PRIMARY, command), String.join(" ", command));
            assertEquals(Route.LOCAL, route(State.FALLBACK, command), String.join(" ", command) + " in fallback");
        }
        assertEquals(Route.Upstream.PINNED, route(State.PRIMARY.trackingKeys(), "CLIENT", "TRACKINGINFO"),
                "a tracking client's own connection describes its tracking");
        assertEquals(new Route.Refuse(Errors.unsupported("MONITOR")), route(State.PRIMARY, "MONITOR"));
        assertEquals(new Route.Refuse(Errors.unsupported("SCRIPT DEBUG")), route(State.PRIMARY, "SCRIPT", "DEBUG", "yes"));
        assertEquals(new Route.Refuse(Errors.unsupported("SYNC")), route(State.FALLBACK, "SYNC"));
    }

    @Test
    void whatRedisRunsWhileAScriptHoldsItTakesTheControlConnectionInEveryMode() {
        for (State state : new State[] {State.PRIMARY, State.FALLBACK, State.PRIMARY.inMulti()}) {
            assertEquals(Route.Upstream.CONTROL, route(state, "SCRIPT", "KILL"));
            assertEquals(Route.Upstream.CONTROL, route(state, "FUNCTION", "KILL"));
            assertEquals(Route.Upstream.CONTROL, route(state, "FUNCTION", "STATS"));
            assertEquals(Route.Upstream.CONTROL, route(state, "SHUTDOWN", "NOSAVE"));
        }
        assertEquals(new Route.Refuse(Errors.NOTBUSY), route(State.FALLBACK.mongoOnly(), "SCRIPT", "KILL"),
                "no script runs where Redis is never used");
    }

    @Test
    void servedFromMongoDataGoesToTheEngineAloneWhenItNamesNoKey() {
        for (State state : new State[] {State.FALLBACK, State.PRIMARY.queuingForEngine()}) {
            assertEquals(Route.Engine.KEYED, route(state, "GET", "k"));
            assertEquals(Route.Engine.KEYED, route(state, "BLPOP", "l", "0"));
            assertEquals(Route.Engine.SERIAL, route(state, "DBSIZE"));
            assertEquals(Route.Engine.SERIAL, route(state, "FLUSHDB"));
            assertEquals(Route.Engine.SERIAL, route(state, "EXEC"), "a queued block runs alone");
            for (String[] session : new String[][] {{"MULTI"}, {"DISCARD"}, {"WATCH", "k"}, {"UNWATCH"}, {"INFO"}}) {
                assertEquals(Route.LOCAL, route(state, session), String.join(" ", session));
            }
        }
    }

    @Test
    void aCommandTheTableDoesNotKnowIsSharedUnlessTheSessionIsPinned() {
        assertEquals(Route.Upstream.SHARED, Router.decideUnknown("newcommand", State.PRIMARY));
        assertEquals(Route.Upstream.PINNED, Router.decideUnknown("newcommand", State.PRIMARY.db(3)));
        assertEquals(Route.Upstream.PINNED, Router.decideUnknown("waitaof", State.PRIMARY), "Redis 7.2's WAITAOF waits");
    }
}
