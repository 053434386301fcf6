"""Tests of the Python state SDK against a live state service (run by the state module's
PythonSdkIT with STOKE_STATE_SOCKET set; stdlib unittest)."""

import threading
import unittest
import uuid

from stoke import state


class KeyValueTest(unittest.TestCase):
    def test_put_get_cas_incr_delete_list(self):
        key = "k-" + uuid.uuid4().hex
        self.assertIsNone(state.get(key))
        version = state.put(key, "one")
        self.assertEqual(state.get(key), ("one", version))
        self.assertIsNone(state.cas(key, "two", version + 1000))
        self.assertGreater(state.cas(key, "two", version), version)
        self.assertEqual(state.incr(key + "-n", 5), 5)
        self.assertEqual([k for k, _, _ in state.list(key)], [key, key + "-n"])
        self.assertTrue(state.delete(key))
        self.assertFalse(state.delete(key))


class ConnectionTest(unittest.TestCase):
    def test_calls_of_one_thread_share_one_connection(self):
        state.put("conn-" + uuid.uuid4().hex, "v")
        first = state._local.conn.sock
        for i in range(20):
            state.get("conn-" + str(i))
        self.assertIs(state._local.conn.sock, first)

    def test_a_refused_request_does_not_break_the_next_call_on_the_connection(self):
        with self.assertRaises(state.StateError) as refused:
            state.put("big-" + uuid.uuid4().hex, "x" * (2 * 1024 * 1024))
        self.assertEqual(refused.exception.code, "TooLarge")
        key = "after-" + uuid.uuid4().hex
        version = state.put(key, "ok")
        self.assertEqual(state.get(key), ("ok", version))

    def test_threads_get_their_own_connections(self):
        state.put("t-main", "v")
        main = state._local.conn
        seen = []
        worker = threading.Thread(target=lambda: (state.get("t-main"), seen.append(state._local.conn)))
        worker.start()
        worker.join()
        self.assertIsNot(seen[0], main)


class CoordinationTest(unittest.TestCase):
    def test_nodes_and_a_watch_by_callback_and_by_waiting(self):
        root = "/c-" + uuid.uuid4().hex
        state.create(root, "a")
        seen = []
        fired = threading.Event()
        with state.Session(timeout_ms=5000, on_event=lambda e: (seen.append(e), fired.set())) as s:
            self.assertEqual(state.get_node(root, watch=s)[0], "a")
            state.set_node(root, "b")
            self.assertTrue(fired.wait(10))
            self.assertEqual(seen[0]["type"], "NodeDataChanged")
        with state.Session(timeout_ms=5000) as s:
            self.assertEqual(state.children(root, watch=s), [])
            state.create(root + "/x")
            self.assertEqual(s.wait_event(10)["type"], "NodeChildrenChanged")
            self.assertIsNotNone(state.exists(root + "/x"))
        with self.assertRaises(state.StateError) as error:
            state.create(root)
        self.assertEqual(error.exception.code, "NodeExists")


class LockTest(unittest.TestCase):
    def test_ten_clients_never_hold_the_lock_together(self):
        path = "/locks/l-" + uuid.uuid4().hex
        counter = "counter-" + uuid.uuid4().hex
        holders, overlaps, rounds = [0], [0], 5
        guard = threading.Lock()
        errors = []

        def client():
            try:
                with state.Session(timeout_ms=10000) as session:
                    for _ in range(rounds):
                        with state.Lock(path, session):
                            with guard:
                                holders[0] += 1
                                if holders[0] > 1:
                                    overlaps[0] += 1
                            # A read-modify-write without CAS: only mutual exclusion keeps it exact.
                            current = state.get(counter)
                            state.put(counter, str(int(current[0]) + 1 if current else 1))
                            with guard:
                                holders[0] -= 1
            except Exception as e:  # reported by the assertion below
                errors.append(e)

        threads = [threading.Thread(target=client) for _ in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        self.assertEqual(errors, [])
        self.assertEqual(overlaps[0], 0)
        self.assertEqual(state.get(counter)[0], str(10 * rounds))
        print("lock: 10 clients x %d rounds, overlaps = %d" % (rounds, overlaps[0]))


class ElectionTest(unittest.TestCase):
    def test_the_next_candidate_leads_when_the_leader_resigns(self):
        path = "/elections/e-" + uuid.uuid4().hex
        with state.Session() as a, state.Session() as b:
            first, second = state.Election(path, a, "a"), state.Election(path, b, "b")
            first.volunteer()
            second.volunteer()
            self.assertTrue(first.wait_for_leadership(5))
            self.assertEqual(first.leader(), "a")
            self.assertFalse(second.wait_for_leadership(0.5))
            first.resign()
            self.assertEqual(second.leader(), "b")


if __name__ == "__main__":
    unittest.main()
