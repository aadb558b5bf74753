// The admin area, one chunk loaded with import() (routes/admin.tsx) the first time an
// admin opens it, so the public pages' JavaScript does not carry it; its charts are a
// chunk of their own again (dashboard.tsx).
export { AllBookings } from './bookings';
export { Dashboard } from './dashboard';
export { FeedbackTriage } from './feedback';
export { Users } from './users';
