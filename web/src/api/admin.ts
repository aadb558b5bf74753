// --- admin ---
// The shapes of docs/openapi.json the admin screens read and send, by their names
// there (components/schemas), kept to the fields the screens use.
import type { Booking, Role, Specialization, Ulid, User } from './types';

export type AnalyticsGranularity = 'day' | 'week' | 'month';
export type Granularity = 'day' | 'week';
/** ISO 4217 code → minor units. Never added across currencies. */
export type MoneyByCurrency = Record<string, number>;

export interface Cancellations {
  by_client: number; by_photographer: number; by_platform: number;
  while_pending: number; after_confirmation: number; late: number;
}
export interface AnalyticsPeriod {
  start: string;
  requested: number; confirmed: number; declined: number; cancelled: number; expired: number; completed: number;
  booked_hours: number; paid: number; reviewed: number;
  revenue_minor: MoneyByCurrency; refunds_minor: MoneyByCurrency; net_minor: MoneyByCurrency;
  cancellations: Cancellations;
}
export interface Funnel {
  requested: number; confirmed: number; paid: number; completed: number; reviewed: number;
  confirmed_rate: number | null; paid_rate: number | null; completed_rate: number | null; reviewed_rate: number | null;
}
export interface LeadTime {
  requests: number; mean_days: number | null;
  under_1d: number; from_1_to_7d: number; from_7_to_30d: number; from_30_to_90d: number; over_90d: number;
}
export interface Ranked { name: string; requested: number; confirmed: number; completed: number }
export interface Leader {
  photographer_id: string; display_name: string | null;
  requested: number; confirmed: number; completed: number; cancelled: number;
  revenue_minor: MoneyByCurrency; refunds_minor: MoneyByCurrency;
  mean_confirm_minutes: number | null;
  rating: { average: number; count: number } | null;
}
export interface Analytics {
  from: string; to: string; granularity: AnalyticsGranularity;
  filter: { city: string | null; specialization: Specialization | null };
  series: AnalyticsPeriod[];
  totals: AnalyticsPeriod;
  funnel: Funnel;
  lead_time: LeadTime;
  top_period: { from: string; to: string };
  top_cities: Ranked[];
  top_specializations: Ranked[];
  leaderboard: Leader[];
}

export type SentimentLabel = 'positive' | 'neutral' | 'negative';
export type Topic = 'communication' | 'quality' | 'punctuality' | 'pricing' | 'creativity' | 'editing' | 'delivery' | 'general';
export interface TopicSentiment { topic: Topic; label: SentimentLabel; score: number }
export interface Sentiment { label: SentimentLabel; score: number; topics: TopicSentiment[]; key_phrases: string[] }
export type FeedbackStatus = 'open' | 'in_progress' | 'resolved';
export const FEEDBACK_STATUSES: readonly FeedbackStatus[] = ['open', 'in_progress', 'resolved'];
export interface Feedback {
  id: Ulid; user_id: Ulid; user_role: Role;
  category: 'booking' | 'payment' | 'platform' | 'other';
  subject: string; message: string; status: FeedbackStatus;
  sentiment: Sentiment | null; analysis_state: 'pending' | 'done';
  created_at: string; updated_at: string;
}
export interface Counts { total: number; positive: number; neutral: number; negative: number; average_score: number | null }
export interface SentimentPeriod extends Counts { start: string }
export interface TopicSummary extends Counts { topic: Topic }
export interface Insights {
  from: string; to: string; granularity: Granularity;
  series: SentimentPeriod[];
  distribution: Counts;
  topics: TopicSummary[];
  most_negative_open: Feedback[];
}

export interface BacktestSummary { mase: number; smape: number; origins: number; horizon_days: number }
export interface DemandPoint { date: string; forecast: number; lower: number; upper: number }
export interface DemandForecast {
  city: string | null; specialization: Specialization | null;
  as_of: string; generated_at: string; model: string;
  backtest: BacktestSummary | null;
  history_requests: number; normal_daily?: number;
  points: DemandPoint[];
}

/** An account as GET /admin/users lists it (User with its timestamps). */
export interface AdminUser extends User { created_at: string; updated_at: string }
export type AdminBooking = Booking & { updated_at: string };
