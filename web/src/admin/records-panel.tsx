import { AuditSection } from './audit-section';
import { DeadLettersSection } from './dead-letters-section';
import { PaymentsSection } from './payments-section';

/** Records: the audit log, the payments ledger and its reports, and webhook deliveries that failed. */
export function RecordsPanel() {
  return (
    <div class="admin-section-stack">
      <AuditSection />
      <PaymentsSection />
      <DeadLettersSection />
    </div>
  );
}
