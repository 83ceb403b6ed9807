-- Up Migration
-- A turn in a personal chat books the sends it is about to make in one round trip, while it still works out what to
-- say (bot/teams-sender.ts): `n` bookings by the rule of reserve_send_slot, one after the other, under the
-- conversation's lock, which reserve_send_slot takes again (it is held until the transaction ends). Each booking's
-- SELECT sees the ones before it in this transaction.
CREATE FUNCTION reserve_send_slots(conv text, now_at timestamptz, counts integer[], windows_ms integer[], n integer)
RETURNS timestamptz[]
LANGUAGE plpgsql
VOLATILE
AS $$
DECLARE
  slots timestamptz[] := '{}';
BEGIN
  FOR k IN 1 .. n LOOP
    slots := slots || reserve_send_slot(conv, now_at, counts, windows_ms);
  END LOOP;
  RETURN slots;
END;
$$;

-- Down Migration
DROP FUNCTION reserve_send_slots(text, timestamptz, integer[], integer[], integer);
