import { render } from 'preact';
import { t } from '@/lib/core/i18n';
import { App } from './App';
import '@/components/page.css';
import './style.css';

document.title = t('options.title');
render(<App />, document.getElementById('app')!);
