-- Up Migration
-- A send books its slot in one round trip (issue 17): the conversation's lock, the earliest moment with room in every
-- window, and the booking, in one statement. The same rule as nextSlot in machines/pacing.ts: for each window, when it
-- holds `count` sends or more, the earliest room is the count-th newest of them plus the window; moving later for one
-- window can fill another, so it looks again until nothing moves. Each SELECT takes a fresh snapshot after the lock,
-- so it sees what the instance that held the lock before booked.
CREATE FUNCTION reserve_send_slot(conv text, now_at timestamptz, counts integer[], windows_ms integer[])
RETURNS timestamptz
LANGUAGE plpgsql
VOLATILE
AS $$
DECLARE
  slot timestamptz := now_at;
  moved boolean := true;
  span interval;
  nth timestamptz;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('pacing:' || conv));
  WHILE moved LOOP
    moved := false;
    FOR i IN 1 .. coalesce(array_length(counts, 1), 0) LOOP
      span := windows_ms[i] * interval '1 millisecond';
      SELECT at INTO nth FROM send_slots WHERE conversation_id = conv AND at > slot - span ORDER BY at DESC OFFSET counts[i] - 1 LIMIT 1;
      IF FOUND AND nth + span > slot THEN
        slot := nth + span;
        moved := true;
      END IF;
    END LOOP;
  END LOOP;
  INSERT INTO send_slots (conversation_id, at) VALUES (conv, slot);
  RETURN slot;
END;
$$;

-- Down Migration
DROP FUNCTION reserve_send_slot(text, timestamptz, integer[], integer[]);
